package org.omnileads.omlha.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.labservices.LabPostgres;
import org.omnileads.omlha.labservices.LabPostgresWriter;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * A check of where, between two lines of the server's log, a standby actually left recovery: from inside a lab
 * namespace, one kept JDBC connection asks {@code SELECT pg_is_in_recovery()} every {@code period} until the answer
 * is false (or {@code maxDuration} passes). The flip happened after the last "true" query was sent and before the
 * first "false" one returned. Used only by {@code bench/promotion --poll-recovery} (it costs the server and the
 * bench a query per period, so the timing runs leave it off).
 */
final class RecoveryPoller implements AutoCloseable {
    /** The flip lies in [lastTrueSentNanos, firstFalseEndedNanos], on {@link System#nanoTime()}. */
    record Flip(long lastTrueSentNanos, long firstFalseSentNanos, long firstFalseEndedNanos) {}

    private final String url;
    private final long periodNanos;
    private final long maxNanos;
    private final CountDownLatch entered = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean stopped;
    private volatile Flip flip;
    private volatile String failure;

    private RecoveryPoller(String namespace, String address, Duration period, Duration maxDuration) {
        this.url = "jdbc:postgresql://" + address + ":" + LabPostgres.PORT + "/postgres";
        this.periodNanos = period.toNanos();
        this.maxNanos = maxDuration.toNanos();
        this.thread = new Thread(() -> {
            try {
                NetnsLab.enterNamespace(namespace);
            } catch (RuntimeException e) {
                failure = "could not enter " + namespace + ": " + e.getMessage();
                entered.countDown();
                return;
            }
            entered.countDown();
            poll();
        }, "recovery-poller-" + namespace);
        this.thread.setDaemon(true);
    }

    /** Starts polling {@code address} from {@code namespace}; returns once the thread is in the namespace (10 s at most). */
    static RecoveryPoller start(String namespace, String address, Duration period, Duration maxDuration) throws InterruptedException {
        RecoveryPoller poller = new RecoveryPoller(namespace, address, period, maxDuration);
        poller.thread.start();
        if (!poller.entered.await(10, TimeUnit.SECONDS) || poller.failure != null) {
            poller.close();
            throw new IllegalStateException("recovery poller: " + (poller.failure == null ? "not in " + namespace + " within 10 s" : poller.failure));
        }
        return poller;
    }

    /** The flip, once seen. */
    Optional<Flip> flip() {
        return Optional.ofNullable(flip);
    }

    /** Why it stopped without seeing the flip, if it did. */
    Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    private void poll() {
        org.postgresql.Driver driver = new org.postgresql.Driver();
        Properties p = LabPostgresWriter.clientProperties(LabPostgres.MONITOR_USER, "omlha-bench-recovery-poller");
        long end = System.nanoTime() + maxNanos;
        long lastTrueSent = Long.MIN_VALUE;
        Connection connection = null;
        try {
            while (!stopped && System.nanoTime() - end < 0) {
                long sent = System.nanoTime();
                try {
                    if (connection == null) {
                        connection = driver.connect(url, p);
                    }
                    try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("SELECT pg_is_in_recovery()")) {
                        r.next();
                        boolean inRecovery = r.getBoolean(1);
                        long ended = System.nanoTime();
                        if (inRecovery) {
                            lastTrueSent = sent;
                        } else if (lastTrueSent != Long.MIN_VALUE) {
                            flip = new Flip(lastTrueSent, sent, ended);
                            return;
                        } else {
                            failure = "the server was out of recovery at the first answer";
                            return;
                        }
                    }
                } catch (SQLException e) {
                    // a query or connection that failed: the next one reconnects (the flip interval widens accordingly)
                    closeQuietly(connection);
                    connection = null;
                }
                long next = sent + periodNanos;
                long now = System.nanoTime();
                if (next - now > 0) {
                    TimeUnit.NANOSECONDS.sleep(next - now);
                }
            }
            if (!stopped) {
                failure = "no flip within " + TimeUnit.NANOSECONDS.toSeconds(maxNanos) + " s";
            }
        } catch (InterruptedException e) {
            // close()
        } finally {
            closeQuietly(connection);
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // abandoned either way
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
