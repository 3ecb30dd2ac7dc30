package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The postgresql probe against a real primary and a streaming standby (Debian's postgresql-15). The tests run in
 * order: the last two stop the primary and promote the standby.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresProbeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final String USER = "omlha";
    private static final String PASSWORD = "omlha-test-password";

    private static Path root;
    private static PostgresServer primary;
    private static PostgresServer standby;

    @BeforeAll
    static void startCluster() throws Exception {
        root = PostgresServer.newRoot();
        primary = PostgresServer.startPrimary(root);
        asSuperuser(primary, "CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'",
                "GRANT pg_monitor TO " + USER);
        standby = PostgresServer.startStandby(primary);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        try {
            if (standby != null) {
                standby.close();
            }
        } finally {
            try {
                if (primary != null) {
                    primary.close();
                }
            } finally {
                PostgresServer.deleteRoot(root);
            }
        }
    }

    @Test
    @Order(1)
    void primaryReportsPrimaryOnTimelineOne() throws Exception {
        try (PostgresProbe probe = probe(primary, PASSWORD, null, null)) {
            ProbeResult r = check(probe);

            assertTrue(r.up(), r::detail);
            PostgresFacts facts = facts(r);
            assertEquals(PostgresFacts.Role.PRIMARY, facts.role());
            assertEquals(1, facts.timeline());
            assertTrue(facts.lsn().matches("[0-9A-F]+/[0-9A-F]+"), facts::toString);
            assertFalse(facts.streaming());
            assertNull(facts.lagBytes(), facts::toString);
            assertNull(facts.receiveLsn(), facts::toString);
            assertTrue(facts.lagOk(), "no bound configured");
            assertTrue(r.detail().startsWith("primary on timeline 1 at "), r::detail);
        }
    }

    @Test
    @Order(2)
    void standbyReportsStandbyStreamingWithLagFacts() throws Exception {
        try (PostgresProbe probe = probe(standby, PASSWORD, 16L * 1024 * 1024, Duration.ofMinutes(1))) {
            ProbeResult r = checkUntil(probe, x -> x.facts(PostgresFacts.class).map(PostgresFacts::streaming).orElse(false));

            assertTrue(r.up(), r::detail);
            PostgresFacts facts = facts(r);
            assertEquals(PostgresFacts.Role.STANDBY, facts.role());
            assertEquals(1, facts.timeline());
            assertTrue(facts.lagBytes() >= 0, facts::toString);
            assertNotNull(facts.lagSeconds(), facts::toString);
            assertTrue(facts.receiveLsn().matches("[0-9A-F]+/[0-9A-F]+"), facts::toString);
            assertTrue(facts.lagOk());
        }
    }

    @Test
    @Order(3)
    void lagOverTheBoundIsUpWithLagNotOk() throws Exception {
        asSuperuser(standby, "SELECT pg_wal_replay_pause()");
        try (PostgresProbe probe = probe(standby, PASSWORD, 0L, null)) {
            asSuperuser(primary, "CREATE TABLE lag_maker AS SELECT generate_series(1, 10000) AS n");

            ProbeResult r = checkUntil(probe, x -> x.facts(PostgresFacts.class)
                    .map(f -> f.lagBytes() != null && f.lagBytes() > 0).orElse(false));

            assertTrue(r.up(), "lag is a fact, not a failure: " + r.detail());
            assertFalse(facts(r).lagOk());
            assertTrue(r.detail().contains("over max-lag-bytes 0"), r::detail);
        } finally {
            asSuperuser(standby, "SELECT pg_wal_replay_resume()");
        }
    }

    @Test
    @Order(4)
    void wrongPasswordIsDownAndSaysWhy() throws Exception {
        try (PostgresProbe probe = probe(primary, "not-the-password", null, null)) {
            ProbeResult r = check(probe);

            assertFalse(r.up());
            assertTrue(r.detail().contains("password authentication failed for user \"omlha\""), r::detail);
        }
    }

    @Test
    @Order(5)
    void serverThatNeverAnswersTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             PostgresProbe probe = new PostgresProbe("silent", "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort()
                     + "/postgres", USER, PASSWORD, Duration.ofMillis(300), null, null)) {
            Thread acceptor = new Thread(() -> acceptAndIgnore(silent));
            acceptor.setDaemon(true);
            acceptor.start();

            ProbeResult r = probe.check().get(5, TimeUnit.SECONDS);

            assertFalse(r.up());
            assertEquals("timed out after 300 ms", r.detail());
        }
    }

    @Test
    @Order(6)
    void stoppingThePrimaryFiresWatchAndTheNextCheckIsRefused() throws Exception {
        try (PostgresProbe probe = probe(primary, PASSWORD, null, null)) {
            CountDownLatch changed = new CountDownLatch(1);
            probe.watch(changed::countDown);
            assertTrue(check(probe).up());
            waitUntil(probe::watching, "watch connection open");

            primary.stopImmediate();

            assertTrue(changed.await(10, TimeUnit.SECONDS), "watch callback not called within 10 s");
            ProbeResult r = check(probe);
            assertFalse(r.up());
            assertEquals("connection refused by 127.0.0.1:" + primary.port, r.detail());
        }
    }

    @Test
    @Order(7)
    void promotedStandbyIsPrimaryOnTimelineTwo() throws Exception {
        try (PostgresProbe probe = probe(standby, PASSWORD, null, null)) {
            assertEquals(PostgresFacts.Role.STANDBY, facts(check(probe)).role());

            standby.promote();

            ProbeResult r = check(probe);
            assertTrue(r.up(), r::detail);
            assertEquals(PostgresFacts.Role.PRIMARY, facts(r).role());
            assertEquals(2, facts(r).timeline());
        }
    }

    private static PostgresFacts facts(ProbeResult r) {
        return r.facts(PostgresFacts.class).orElseThrow(() -> new AssertionError("no PostgreSQL facts: " + r));
    }

    @Test
    void targetIsTheHostListOfTheUrl() {
        assertEquals("127.0.0.1:5432", PostgresProbe.targetOf("jdbc:postgresql://127.0.0.1:5432/postgres?ssl=false"));
        assertEquals("a:1,b:2", PostgresProbe.targetOf("jdbc:postgresql://a:1,b:2/db"));
        assertEquals("db.example", PostgresProbe.targetOf("jdbc:postgresql://db.example?x=1"));
        assertEquals("localhost:5432", PostgresProbe.targetOf("jdbc:postgresql:postgres"));
    }

    private static PostgresProbe probe(PostgresServer server, String password, Long maxLagBytes, Duration maxLag) {
        return new PostgresProbe("pg", server.jdbcUrl(), USER, password, TIMEOUT, maxLagBytes, maxLag);
    }

    private static ProbeResult check(Probe probe) throws Exception {
        return probe.check().get(TIMEOUT.toMillis() + 5000, TimeUnit.MILLISECONDS);
    }

    /** Checks until {@code done} holds (a real server needs a moment to stream or replay), at most 15 s. */
    private static ProbeResult checkUntil(Probe probe, Predicate<ProbeResult> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        ProbeResult r = check(probe);
        while (!done.test(r)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("condition not reached in 15 s, last result " + r);
            }
            TimeUnit.MILLISECONDS.sleep(100);
            r = check(probe);
        }
        return r;
    }

    private static void waitUntil(BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + ": not reached in 10 s");
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private static void asSuperuser(PostgresServer server, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), "postgres",
                PostgresServer.SUPERUSER_PASSWORD);
             Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    private static void acceptAndIgnore(ServerSocket server) {
        try (Socket ignored = server.accept()) {
            ignored.getInputStream().readAllBytes();
        } catch (IOException closed) {
            // the test is over
        }
    }
}
