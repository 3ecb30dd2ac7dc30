package org.omnileads.omlha.bench;

import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.labservices.LabPostgres;
import org.omnileads.omlha.labservices.LabPostgresWriter;
import org.omnileads.omlha.labservices.LabPostgresWriter.Attempt;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * A writer that never waits for an earlier write: every {@code period} a new INSERT starts on its own worker thread,
 * on an idle kept connection if there is one, else on a new one (JDBC connect and socket timeouts 1 s, as
 * {@link org.omnileads.omlha.labservices.LabPostgresWriter}). A connection that failed is dropped. While the server
 * answers, one or two kept connections carry every write; while nobody holds the VIP, each attempt waits out its own
 * timeout and the next ones still start on time, so the first write acknowledged after the VIP moved shows when the
 * database became writable through it, not when an earlier attempt timed out (what a blocking writer, or an
 * application's pool whose connects are all stuck, would add).
 *
 * <p>All threads run inside the client's namespace. Ids start at {@code firstId} (so that they never meet
 * LabPostgresWriter's, which count from 1, in the same table). Attempts are {@link Attempt}s, so
 * {@link org.omnileads.omlha.labservices.LabPostgresWriter#longestGap(List, long)} reads them too.
 */
final class ConcurrentPostgresWriter implements AutoCloseable {
    /** More than 1 s of attempts at 10 ms, each bounded by its 1 s connect and 1 s socket timeouts. */
    private static final int MAX_IN_FLIGHT = 400;

    private final String namespace;
    private final String url;
    private final long periodNanos;
    private final long maxNanos;
    private final long firstId;
    private final List<Attempt> attempts = new ArrayList<>();
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final ExecutorService workers;
    private final CountDownLatch entered = new CountDownLatch(1);
    private final Thread ticker;
    private final org.postgresql.Driver driver = new org.postgresql.Driver();
    private volatile boolean stopped;
    private volatile String failure;

    private ConcurrentPostgresWriter(String namespace, InetSocketAddress target, Duration period, Duration maxDuration, long firstId) {
        this.namespace = namespace;
        this.url = "jdbc:postgresql://" + target.getAddress().getHostAddress() + ":" + target.getPort() + "/" + LabPostgres.APP_DATABASE;
        this.periodNanos = period.toNanos();
        this.maxNanos = maxDuration.toNanos();
        this.firstId = firstId;
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(() -> {
                NetnsLab.enterNamespace(namespace);
                r.run();
            }, "concurrent-writer-" + namespace);
            t.setDaemon(true);
            return t;
        });
        this.ticker = new Thread(this::tick, "concurrent-writer-ticker-" + namespace);
        this.ticker.setDaemon(true);
    }

    /** Starts writing to {@code target} from {@code namespace}; returns once the first thread is in the namespace. */
    static ConcurrentPostgresWriter start(String namespace, InetSocketAddress target, Duration period, Duration maxDuration, long firstId)
            throws InterruptedException {
        ConcurrentPostgresWriter writer = new ConcurrentPostgresWriter(namespace, target, period, maxDuration, firstId);
        writer.ticker.start();
        if (!writer.entered.await(10, TimeUnit.SECONDS) || writer.failure != null) {
            writer.close();
            throw new IllegalStateException("concurrent writer: " + (writer.failure == null ? "not in " + namespace + " within 10 s" : writer.failure));
        }
        return writer;
    }

    /** Every attempt that has ended so far, in the order they ended. */
    List<Attempt> attempts() {
        synchronized (attempts) {
            return List.copyOf(attempts);
        }
    }

    /**
     * Of the writes sent at or after {@code sentNanos}, the one acknowledged first (writes overlap here: one sent
     * earlier may be acknowledged later, e.g. after a SYN retransmission).
     */
    Optional<Attempt> firstAcknowledgedSentAfter(long sentNanos) {
        return attempts().stream().filter(a -> a.acknowledged() && a.sentNanos() - sentNanos >= 0)
                .min((a, b) -> Long.compare(a.endedNanos() - sentNanos, b.endedNanos() - sentNanos));
    }

    /** The ids of the writes acknowledged among those sent in [fromNanos, toNanos). */
    List<Long> acknowledgedIdsSentBetween(long fromNanos, long toNanos) {
        return attempts().stream().filter(a -> a.acknowledged() && a.sentNanos() - fromNanos >= 0 && a.sentNanos() - toNanos < 0)
                .map(Attempt::id).toList();
    }

    private void tick() {
        try {
            NetnsLab.enterNamespace(namespace);
        } catch (RuntimeException e) {
            failure = "could not enter " + namespace + ": " + e.getMessage();
            entered.countDown();
            return;
        }
        entered.countDown();
        long start = System.nanoTime();
        long next = start;
        long id = firstId;
        try {
            while (!stopped && System.nanoTime() - (start + maxNanos) < 0) {
                long now = System.nanoTime();
                if (now - next < 0) {
                    TimeUnit.NANOSECONDS.sleep(Math.max(next - now, 100_000));
                    continue;
                }
                next += periodNanos;
                if (now - next >= 0) {
                    next = now + periodNanos; // the ticker itself was late: no burst to catch up
                }
                long attemptId = id++;
                if (!inFlight.tryAcquire()) {
                    record(new Attempt(attemptId, now, now, false, "not sent: " + MAX_IN_FLIGHT + " attempts in flight"));
                    continue;
                }
                try {
                    workers.execute(() -> {
                        try {
                            attempt(attemptId, now);
                        } finally {
                            inFlight.release();
                        }
                    });
                } catch (RuntimeException e) { // rejected: closing
                    inFlight.release();
                    return;
                }
            }
        } catch (InterruptedException e) {
            // close()
        }
    }

    private void attempt(long id, long sent) {
        Connection connection = idle.pollFirst();
        try {
            if (connection == null) {
                connection = driver.connect(url, properties());
            }
            LabPostgresWriter.insertWrite(connection, id);
            record(new Attempt(id, sent, System.nanoTime(), true, null));
            if (stopped) {
                closeQuietly(connection);
            } else {
                idle.offerFirst(connection);
            }
        } catch (SQLException | RuntimeException e) {
            record(new Attempt(id, sent, System.nanoTime(), false, describe(e)));
            closeQuietly(connection);
        }
    }

    private static Properties properties() {
        return LabPostgresWriter.clientProperties(LabPostgres.APP_USER, "omlha-bench-concurrent-writer");
    }

    private void record(Attempt attempt) {
        synchronized (attempts) {
            attempts.add(attempt);
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        String state = e instanceof SQLException s && s.getSQLState() != null ? s.getSQLState() + " " : "";
        return state + message;
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

    /** Stops starting writes, lets those in flight end (their timeouts bound them), closes the kept connections. */
    @Override
    public void close() {
        stopped = true;
        ticker.interrupt();
        try {
            ticker.join(5_000);
            workers.shutdown();
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        Connection c;
        while ((c = idle.pollFirst()) != null) {
            closeQuietly(c);
        }
    }
}
