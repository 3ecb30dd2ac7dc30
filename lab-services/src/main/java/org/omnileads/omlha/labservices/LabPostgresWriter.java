package org.omnileads.omlha.labservices;

import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * An application writing to the database through an address (the read-write VIP) from inside a lab namespace:
 * one {@code INSERT INTO writes (id, sent_at)} per period over JDBC, autocommit, each attempt recorded with when
 * it was sent, when it ended, and whether the server acknowledged it (the commit returned) or why it failed.
 *
 * <p>One thread enters the namespace with setns(2) (it moves only that thread) and does everything there. JDBC
 * blocks, so an attempt that hangs (a SYN to a MAC that no longer holds the VIP) delays the next one by up to its
 * timeouts: connect 1 s, socket 1 s. After any failure the connection is dropped and the next attempt connects
 * again. Ids count attempts from 1, so a failed attempt's id never comes back; an attempt that timed out during
 * its commit may still have been written.
 */
public final class LabPostgresWriter implements AutoCloseable {

    /** One INSERT: sent and ended on {@link System#nanoTime()}; acknowledged when the commit returned, else {@code failure}. */
    public record Attempt(long id, long sentNanos, long endedNanos, boolean acknowledged, String failure) {
        @Override
        public String toString() {
            return "#" + id + (acknowledged ? " ok" : " " + failure);
        }
    }

    /** The longest time between two acknowledged writes, with the number of attempts in between that failed. */
    public record Gap(Attempt before, Attempt after, int failedAttempts) {
        public long nanos() {
            return after.endedNanos() - before.endedNanos();
        }

        public double millis() {
            return nanos() / 1e6;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.1f ms without an acknowledged write (#%d before, #%d after; %d attempts in between failed)",
                    millis(), before.id(), after.id(), failedAttempts);
        }
    }

    private final String url;
    private final long periodNanos;
    private final long maxDurationNanos;
    private final List<Attempt> attempts = new ArrayList<>();
    private final NamespaceThread thread;
    private volatile boolean stopped;

    private LabPostgresWriter(String namespace, InetSocketAddress target, Duration period, Duration maxDuration) {
        if (period.isNegative() || period.isZero() || maxDuration.isNegative()) {
            throw new IllegalArgumentException("period must be positive, maxDuration not negative: " + period + ", " + maxDuration);
        }
        this.url = "jdbc:postgresql://" + target.getAddress().getHostAddress() + ":" + target.getPort() + "/" + LabPostgres.APP_DATABASE;
        this.periodNanos = period.toNanos();
        this.maxDurationNanos = maxDuration.toNanos();
        this.thread = new NamespaceThread(namespace, "pg-writer", this::run);
    }

    /**
     * Starts writing to {@code target} (address and port of the server, usually the RW VIP and
     * {@link LabPostgres#PORT}) from inside {@code namespace} every {@code period}, for at most {@code maxDuration}.
     * Returns once the thread is in the namespace; throws if it could not enter it.
     */
    public static LabPostgresWriter start(String namespace, InetSocketAddress target, Duration period, Duration maxDuration) {
        LabPostgresWriter writer = new LabPostgresWriter(namespace, target, period, maxDuration);
        writer.thread.start("writer", writer::close);
        return writer;
    }

    /** Every attempt that has ended so far, in order. */
    public List<Attempt> attempts() {
        synchronized (attempts) {
            return List.copyOf(attempts);
        }
    }

    /** The ids of the acknowledged writes, ascending. */
    public List<Long> acknowledgedIds() {
        return attempts().stream().filter(Attempt::acknowledged).map(Attempt::id).toList();
    }

    /** The ids of the writes acknowledged among those sent in [fromNanos, toNanos). */
    public List<Long> acknowledgedIdsSentBetween(long fromNanos, long toNanos) {
        return attempts().stream()
                .filter(a -> a.acknowledged() && a.sentNanos() - fromNanos >= 0 && a.sentNanos() - toNanos < 0)
                .map(Attempt::id).toList();
    }

    public Optional<Attempt> lastAcknowledged() {
        return Timeline.lastSuccess(attempts(), Attempt::acknowledged);
    }

    /** The first acknowledged write sent at or after {@code sentNanos}. */
    public Optional<Attempt> firstAcknowledgedSentAfter(long sentNanos) {
        return attempts().stream().filter(a -> a.acknowledged() && a.sentNanos() - sentNanos >= 0).findFirst();
    }

    /** The longest gap between acknowledged writes that ends at or after {@code fromNanos} (so one that spans it counts whole). */
    public Optional<Gap> longestGap(long fromNanos) {
        return longestGap(attempts(), fromNanos);
    }

    /**
     * The longest gap between two successive acknowledged writes (by the time their commits returned) whose
     * later one ended at or after {@code fromNanos}; empty without an acknowledged write on both sides of one.
     */
    public static Optional<Gap> longestGap(List<Attempt> attempts, long fromNanos) {
        return Timeline.longestGap(attempts, Attempt::acknowledged, Attempt::endedNanos, fromNanos)
                .map(gap -> new Gap(gap.before(), gap.after(),
                        Timeline.failedWithin(attempts, Attempt::acknowledged, Attempt::id, gap)));
    }

    /** Why the writer could not run (entering the namespace), if it could not. */
    public Optional<RuntimeException> failure() {
        return thread.failure();
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Stops writing and waits for the thread (an attempt in flight ends within its timeouts). */
    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        thread.join();
    }

    private void run() {
        org.postgresql.Driver driver = new org.postgresql.Driver();
        Connection connection = null;
        long nextId = 1;
        long start = System.nanoTime();
        long end = start + maxDurationNanos;
        long nextSend = start;
        try {
            while (!stopped) {
                long now = System.nanoTime();
                if (now - end >= 0) {
                    break;
                }
                if (now - nextSend < 0) {
                    sleepNanos(nextSend - now);
                    continue;
                }
                nextSend += periodNanos;
                long id = nextId++;
                try {
                    if (connection == null) {
                        connection = driver.connect(url, properties());
                    }
                    insertWrite(connection, id);
                    record(new Attempt(id, now, System.nanoTime(), true, null));
                } catch (SQLException e) {
                    record(new Attempt(id, now, System.nanoTime(), false, describe(e)));
                    closeQuietly(connection);
                    connection = null;
                }
                long after = System.nanoTime();
                if (after - nextSend >= 0) {
                    nextSend = after; // an attempt that took longer than the period: no burst to catch up
                }
            }
        } catch (InterruptedException e) {
            // close()
        } finally {
            closeQuietly(connection);
        }
    }

    /** One write of the lab's writers: row {@code id} in {@value LabPostgres#WRITES_TABLE}, stamped now. */
    public static void insertWrite(Connection connection, long id) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO " + LabPostgres.WRITES_TABLE + " (id, sent_at) VALUES (?, ?)")) {
            insert.setLong(1, id);
            insert.setObject(2, OffsetDateTime.now());
            insert.executeUpdate();
        }
    }

    private static Properties properties() {
        return clientProperties(LabPostgres.APP_USER, "omlha-lab-writer");
    }

    /**
     * What every lab client of the databases connects with: short timeouts (seconds, pgJDBC's unit), no TLS or GSS
     * negotiation, so that a failover shows as failures, not as hangs.
     */
    public static Properties clientProperties(String user, String applicationName) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("connectTimeout", "1");
        p.setProperty("socketTimeout", "1");
        p.setProperty("sslmode", "disable");
        p.setProperty("gssEncMode", "disable");
        p.setProperty("ApplicationName", applicationName);
        return p;
    }

    private void record(Attempt attempt) {
        synchronized (attempts) {
            attempts.add(attempt);
        }
    }

    private static String describe(SQLException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        return (e.getSQLState() == null ? "" : e.getSQLState() + " ") + message;
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // the connection is abandoned either way
            }
        }
    }

    private static void sleepNanos(long nanos) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(Math.max(nanos, 100_000));
    }
}
