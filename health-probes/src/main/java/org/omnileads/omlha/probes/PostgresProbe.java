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
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
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
 * <p>Up means connected and the query answered; the role is a fact (a {@link PostgresFacts}) for the VIP policy,
 * not a verdict. A standby whose lag exceeds {@code max-lag} or {@code max-lag-bytes} is still up, with
 * {@link PostgresFacts#lagOk()} false and a detail that says so.
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
public final class PostgresProbe extends AbstractProbe {

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

    private final String jdbcUrl;
    private final String target;
    private final Properties checkProps;
    private final Properties watchProps;
    private final int timeoutSeconds;
    private final Long maxLagBytes;
    private final Duration maxLag;
    private final ExecutorService executor;

    /** Used on the executor thread; read by the timeout timer and close() only to abort it. */
    private volatile Connection connection;
    private volatile String lastFailure;

    private final Object watchLock = new Object();
    private Thread watcher;            // guarded by watchLock
    private boolean armed;             // guarded by watchLock
    private volatile Connection watchConnection;

    public PostgresProbe(String name, String jdbcUrl, String user, String password, Duration timeout,
                         Long maxLagBytes, Duration maxLag) {
        super(name, timeout);
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
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
    void begin(Check check) {
        execute(executor, check, () -> {
            if (!check.isDone()) {
                checkNow(check);
            }
        });
        check.onTimeout(() -> {
            String why = check.timedOut() + (lastFailure == null ? "" : " (last failure: " + lastFailure + ")");
            if (check.down(why)) {
                abort(connection);
            }
        });
    }

    @Override
    public void watch(Runnable changed) {
        super.watch(changed);
        synchronized (watchLock) {
            if (watcher == null && !closed()) {
                watcher = new Thread(this::watchLoop, "omlha-pg-watch-" + name);
                watcher.setDaemon(true);
                watcher.start();
            }
        }
    }

    @Override
    void release() {
        Thread w;
        synchronized (watchLock) {
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

    private void checkNow(Check check) {
        boolean kept = connection != null;
        try {
            query(check, connection());
        } catch (SQLException first) {
            boolean broken = isBroken(first, connection);
            if (broken) {
                discardConnection();
            }
            if (check.isDone()) {
                return; // timed out and aborted by the timer: the failure is the abort, not the server's
            }
            if (!broken || !kept || closed()) {
                failed(check, describe(first));
                return;
            }
            log.debug("probe {}: kept connection broken ({}), reconnecting", name, describe(first));
            try {
                query(check, connection());
            } catch (SQLException second) {
                if (isBroken(second, connection)) {
                    discardConnection();
                }
                failed(check, describe(second));
            }
        }
    }

    private void failed(Check check, String why) {
        lastFailure = why;
        check.down(why);
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

    private void query(Check check, Connection c) throws SQLException {
        PostgresFacts facts;
        String lagProblem;
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout(timeoutSeconds);
            try (ResultSet rs = st.executeQuery(QUERY)) {
                rs.next();
                boolean standby = rs.getBoolean("in_recovery");
                long timeline = rs.getLong("timeline");
                String lsn = rs.getString("lsn");
                String receiveLsn = standby ? rs.getString("receive_lsn") : null;
                Long lagBytes = standby ? nullable(rs.getLong("lag_bytes"), rs) : null;
                Double lagSeconds = standby ? nullable(rs.getDouble("lag_seconds"), rs) : null;
                lagProblem = lagProblem(lagBytes, lagSeconds);
                facts = new PostgresFacts(standby ? PostgresFacts.Role.STANDBY : PostgresFacts.Role.PRIMARY, timeline,
                        lsn, receiveLsn, lagBytes, lagSeconds, rs.getBoolean("streaming"), lagProblem == null);
            }
        }
        armWatch();
        lastFailure = null;
        String detail = facts.role().text() + " on timeline " + facts.timeline() + " at " + facts.lsn()
                + (lagProblem == null ? "" : ", " + lagProblem);
        check.answer(true, detail, facts);
    }

    /** {@code value}, or {@code null} when the column just read was SQL NULL. */
    private static <T> T nullable(T value, ResultSet rs) throws SQLException {
        return rs.wasNull() ? null : value;
    }

    /** Why the replay lag is over a configured bound, or {@code null}. */
    private String lagProblem(Long bytes, Double seconds) {
        if (maxLagBytes != null && bytes != null && bytes > maxLagBytes) {
            return "replay lag " + bytes + " bytes over max-lag-bytes " + maxLagBytes;
        }
        if (maxLag != null && seconds != null && Math.round(seconds * 1000) > maxLag.toMillis()) {
            return "replay lag " + String.format(Locale.ROOT, "%.3f", seconds) + " s over max-lag " + maxLag.toMillis()
                    + " ms";
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
            synchronized (watchLock) {
                while (!armed && !closed()) {
                    try {
                        watchLock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed()) {
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
                while (!closed()) {
                    pg.getNotifications(WATCH_POLL_MILLIS);
                }
            } catch (SQLException e) {
                if (!closed()) {
                    log.info("probe {}: connection to {} lost: {}", name, target, describe(e));
                    changed();
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
