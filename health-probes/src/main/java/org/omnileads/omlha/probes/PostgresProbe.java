package org.omnileads.omlha.probes;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.postgresql.Driver;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code postgresql} probe: one kept JDBC connection and, per check, one query that tells whether the server is
 * a primary or a standby, its timeline, its WAL position and, on a standby, how far replay lags behind what it
 * received and whether its WAL receiver is streaming.
 *
 * <p>Up means connected and the query answered; the role is a fact ({@code role = primary|standby}) for the VIP
 * policy, not a verdict. A standby whose lag exceeds {@code max-lag} or {@code max-lag-bytes} is still up, with the
 * fact {@code lag_ok = false} and a detail that says so. Facts: {@code role}, {@code timeline}, {@code lsn}
 * (the current WAL insert position on a primary, the replay position on a standby), and on a standby
 * {@code receive_lsn}, {@code lag_bytes} (received minus replayed), {@code lag_seconds} (0 when everything received
 * is replayed, absent when unknown) and {@code streaming}; {@code lag_ok} when a bound is configured.
 *
 * <p>The role needs no privilege; {@code streaming} needs {@code pg_monitor} (or {@code pg_read_all_stats}), without
 * which PostgreSQL hides {@code pg_stat_wal_receiver.status} and the probe reports {@code streaming = false}.
 *
 * <p>Each check runs on the probe's own thread, bounded by the timeout: the statement's query timeout and a timer
 * that, when the timeout passes first, completes the check as down and aborts the connection (closing its socket,
 * which unblocks the thread). A kept connection found broken is replaced once within the same check, so a restarted
 * server costs no false down and a stopped one reports why a new connection fails.
 *
 * <p>Event-driven: after {@link #watch} and a successful check, a second connection idles in
 * {@link PGConnection#getNotifications(int)}, which blocks on its socket; when the server closes it (stopped,
 * crashed, backend terminated), the watch callback runs at once.
 */
public final class PostgresProbe implements Probe {

    /** One round trip. Timeline on a primary from its WAL insert file, immediately right after a promotion. */
    static final String QUERY = """
            SELECT r.in_recovery,
                   CASE WHEN r.in_recovery
                        THEN GREATEST((SELECT timeline_id FROM pg_control_checkpoint()),
                                      (SELECT received_tli FROM pg_stat_wal_receiver))
                        ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int
                   END AS timeline,
                   CASE WHEN r.in_recovery THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END AS lsn,
                   pg_last_wal_receive_lsn() AS receive_lsn,
                   pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint AS lag_bytes,
                   CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                        ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
                   END::float8 AS lag_seconds,
                   EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') AS streaming
              FROM (SELECT pg_is_in_recovery() AS in_recovery) r
            """;

    private static final Logger log = LoggerFactory.getLogger(PostgresProbe.class);
    private static final int WATCH_POLL_MILLIS = 10_000;
    private static final Driver DRIVER = new Driver();

    private final String name;
    private final ProbeLog probeLog;
    private final String jdbcUrl;
    private final String target;
    private final Properties checkProps;
    private final Properties watchProps;
    private final Duration timeout;
    private final int timeoutSeconds;
    private final Long maxLagBytes;
    private final Duration maxLag;
    private final ExecutorService executor;

    /** Used on the executor thread; read by the timeout timer and close() only to abort it. */
    private volatile Connection connection;
    private volatile boolean closed;
    private volatile String lastFailure;

    private final Object watchLock = new Object();
    private Runnable changed;          // guarded by watchLock
    private Thread watcher;            // guarded by watchLock
    private boolean armed;             // guarded by watchLock
    private volatile Connection watchConnection;

    public PostgresProbe(String name, String jdbcUrl, String user, String password, Duration timeout,
                         Long maxLagBytes, Duration maxLag) {
        this.name = Objects.requireNonNull(name, "name");
        this.probeLog = new ProbeLog(log, name);
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        this.timeout = Probes.positiveTimeout(name, timeout);
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("probe " + name + ": url must start with jdbc:postgresql:, got \""
                    + jdbcUrl + '"');
        }
        if (maxLagBytes != null && maxLagBytes < 0) {
            throw new IllegalArgumentException("probe " + name + ": max-lag-bytes must be >= 0, got " + maxLagBytes);
        }
        if (maxLag != null && maxLag.isNegative()) {
            throw new IllegalArgumentException("probe " + name + ": max-lag must be >= 0, got " + maxLag);
        }
        this.target = targetOf(jdbcUrl);
        this.maxLagBytes = maxLagBytes;
        this.maxLag = maxLag;
        // pgjdbc takes whole seconds; the timer below enforces the exact timeout.
        this.timeoutSeconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
        this.checkProps = connectionProperties(user, password, timeoutSeconds, timeoutSeconds);
        this.watchProps = connectionProperties(user, password, timeoutSeconds, 0);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "omlha-pg-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletableFuture<ProbeResult> check() {
        if (closed) {
            return Probes.closedProbe();
        }
        long start = System.nanoTime();
        CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        Runnable work = () -> {
            if (!result.isDone()) {
                result.complete(checkNow(start, result));
            }
        };
        if (!Probes.execute(executor, work, start, result)) {
            return result;
        }
        CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
            String why = "timed out after " + timeout.toMillis() + " ms"
                    + (lastFailure == null ? "" : " (last failure: " + lastFailure + ")");
            if (result.complete(ProbeResult.down(System.nanoTime() - start, why))) {
                abort(connection);
            }
        });
        return result;
    }

    @Override
    public void watch(Runnable changed) {
        Objects.requireNonNull(changed, "changed");
        synchronized (watchLock) {
            this.changed = changed;
            if (watcher == null && !closed) {
                watcher = new Thread(this::watchLoop, "omlha-pg-watch-" + name);
                watcher.setDaemon(true);
                watcher.start();
            }
        }
    }

    @Override
    public void close() {
        Thread w;
        synchronized (watchLock) {
            if (closed) {
                return;
            }
            closed = true;
            w = watcher;
            watchLock.notifyAll();
        }
        executor.shutdownNow();
        abort(connection);
        abort(watchConnection);
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
            if (w != null) {
                w.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "PostgresProbe[" + name + " -> " + target + ']';
    }

    /** Whether the watch connection is open: the event-driven path is live. For tests and status. */
    boolean watching() {
        return watchConnection != null;
    }

    private ProbeResult checkNow(long start, CompletableFuture<ProbeResult> result) {
        boolean kept = connection != null;
        try {
            return query(start, connection());
        } catch (SQLException first) {
            boolean broken = isBroken(first, connection);
            if (broken) {
                discardConnection();
            }
            if (result.isDone()) {
                // Timed out and aborted by the timer: the failure is the abort, not the server's.
                return ProbeResult.down(System.nanoTime() - start, "abandoned after the timeout");
            }
            if (!broken || !kept || closed) {
                return failed(start, describe(first));
            }
            log.debug("probe {}: kept connection broken ({}), reconnecting", name, describe(first));
            try {
                return query(start, connection());
            } catch (SQLException second) {
                if (isBroken(second, connection)) {
                    discardConnection();
                }
                return failed(start, describe(second));
            }
        }
    }

    private ProbeResult failed(long start, String why) {
        lastFailure = why;
        return ProbeResult.down(System.nanoTime() - start, why);
    }

    private Connection connection() throws SQLException {
        Connection c = connection;
        if (c == null) {
            c = connect(checkProps);
            connection = c;
        }
        return c;
    }

    private Connection connect(Properties props) throws SQLException {
        Connection c = DRIVER.connect(jdbcUrl, props);
        if (c == null) {
            throw new SQLException("the PostgreSQL driver does not accept url " + jdbcUrl);
        }
        return c;
    }

    private void discardConnection() {
        Connection c = connection;
        connection = null;
        abort(c);
    }

    private ProbeResult query(long start, Connection c) throws SQLException {
        Map<String, String> facts = new LinkedHashMap<>();
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout(timeoutSeconds);
            try (ResultSet rs = st.executeQuery(QUERY)) {
                rs.next();
                boolean standby = rs.getBoolean("in_recovery");
                facts.put("role", standby ? "standby" : "primary");
                facts.put("timeline", Long.toString(rs.getLong("timeline")));
                putIfPresent(facts, "lsn", rs.getString("lsn"));
                if (standby) {
                    putIfPresent(facts, "receive_lsn", rs.getString("receive_lsn"));
                    long lagBytes = rs.getLong("lag_bytes");
                    if (!rs.wasNull()) {
                        facts.put("lag_bytes", Long.toString(lagBytes));
                    }
                    double lagSeconds = rs.getDouble("lag_seconds");
                    if (!rs.wasNull()) {
                        facts.put("lag_seconds", String.format(Locale.ROOT, "%.3f", lagSeconds));
                    }
                }
                facts.put("streaming", Boolean.toString(rs.getBoolean("streaming")));
            }
        }
        armWatch();
        lastFailure = null;
        String lagProblem = lagProblem(facts);
        if (maxLagBytes != null || maxLag != null) {
            facts.put("lag_ok", Boolean.toString(lagProblem == null));
        }
        String detail = facts.get("role") + " on timeline " + facts.get("timeline") + " at " + facts.get("lsn")
                + (lagProblem == null ? "" : ", " + lagProblem);
        return new ProbeResult(true, System.nanoTime() - start, detail, facts);
    }

    /** Why the replay lag is over a configured bound, or {@code null}. */
    String lagProblem(Map<String, String> facts) {
        String bytes = facts.get("lag_bytes");
        if (maxLagBytes != null && bytes != null && Long.parseLong(bytes) > maxLagBytes) {
            return "replay lag " + bytes + " bytes over max-lag-bytes " + maxLagBytes;
        }
        String seconds = facts.get("lag_seconds");
        if (maxLag != null && seconds != null && Double.parseDouble(seconds) * 1000 > maxLag.toMillis()) {
            return "replay lag " + seconds + " s over max-lag " + maxLag.toMillis() + " ms";
        }
        return null;
    }

    private void armWatch() {
        synchronized (watchLock) {
            if (watcher != null && !armed) {
                armed = true;
                watchLock.notifyAll();
            }
        }
    }

    /**
     * Waits to be armed by a successful check, then idles on a second connection until the server closes it.
     * A connection that cannot be opened is not an event (the checks report that); one that breaks is.
     */
    private void watchLoop() {
        while (true) {
            Runnable callback;
            synchronized (watchLock) {
                while (!armed && !closed) {
                    try {
                        watchLock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                armed = false;
            }
            Connection c;
            try {
                c = connect(watchProps);
            } catch (SQLException e) {
                log.debug("probe {}: cannot open the watch connection: {}", name, describe(e));
                continue;
            }
            watchConnection = c;
            try {
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    pg.getNotifications(WATCH_POLL_MILLIS);
                }
            } catch (SQLException e) {
                if (!closed) {
                    log.info("probe {}: connection to {} lost: {}", name, target, describe(e));
                    synchronized (watchLock) {
                        callback = changed;
                    }
                    probeLog.runWatchCallback(callback);
                }
            } finally {
                watchConnection = null;
                abort(c);
            }
        }
    }

    private static void abort(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            log.debug("abort failed", e);
        }
    }

    private static boolean isBroken(SQLException e, Connection c) {
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
            return true;
        }
        try {
            return c == null || c.isClosed();
        } catch (SQLException closedCheck) {
            return true;
        }
    }

    /** Why a connection or query failed, in one line: the server's own message when it sent one. */
    String describe(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused by " + target;
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to " + target;
            }
            if (t instanceof UnknownHostException) {
                return "unknown host in " + target;
            }
            if (t instanceof SocketTimeoutException) {
                return "timed out after " + timeout.toMillis() + " ms talking to " + target;
            }
            if (t instanceof EOFException) {
                return "server " + target + " closed the connection";
            }
        }
        if (e instanceof PSQLException p) {
            ServerErrorMessage server = p.getServerErrorMessage();
            if (server != null && server.getMessage() != null) {
                return server.getMessage() + " (SQLState " + server.getSQLState() + ')';
            }
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return e.getSQLState() == null ? message : message + " (SQLState " + e.getSQLState() + ')';
    }

    private static void putIfPresent(Map<String, String> facts, String key, String value) {
        if (value != null) {
            facts.put(key, value);
        }
    }

    private static Properties connectionProperties(String user, String password, int timeoutSeconds,
                                                   int socketTimeoutSeconds) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        p.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
        p.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "omlha-agent");
        return p;
    }

    /** {@code host:port} (or the host list) of a {@code jdbc:postgresql://hosts/db?...} url, for messages. */
    static String targetOf(String jdbcUrl) {
        String rest = jdbcUrl.substring("jdbc:postgresql:".length());
        if (!rest.startsWith("//")) {
            return "localhost:5432";
        }
        rest = rest.substring(2);
        int end = rest.length();
        for (char stop : new char[] {'/', '?'}) {
            int i = rest.indexOf(stop);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String hosts = rest.substring(0, end);
        return hosts.isEmpty() ? "localhost:5432" : hosts;
    }
}
