package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The redis probe against a real master, replica and Sentinel (Debian's redis-server and redis-sentinel). The
 * tests run in order: the last one kills the master.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisProbeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static RedisServers servers;

    @BeforeAll
    static void startServers() throws Exception {
        servers = RedisServers.start();
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    @Order(1)
    void masterIsUpAndIsTheMasterSentinelNames() throws Exception {
        try (RedisProbe probe = probe(servers.masterUri(), List.of(servers.sentinel()))) {
            ProbeResult r = check(probe);

            assertTrue(r.up(), r::detail);
            RedisFacts facts = facts(r);
            assertEquals(RedisFacts.Role.MASTER, facts.role());
            assertEquals("127.0.0.1:" + servers.masterPort, facts.sentinelMaster());
            assertTrue(facts.sentinelMasterIsThisNode());
            assertTrue(facts.electedBySentinels(), "1 of 1 is a majority");
            assertTrue(r.detail().startsWith("PONG from 127.0.0.1:" + servers.masterPort + ", role master; "
                    + "1 of 1 sentinels name 127.0.0.1:" + servers.masterPort), r::detail);
        }
    }

    @Test
    @Order(2)
    void replicaIsUpAsSlaveAndIsNotTheSentinelMaster() throws Exception {
        try (RedisProbe probe = probe(servers.replicaUri(), List.of(servers.sentinel()))) {
            ProbeResult r = check(probe);

            assertTrue(r.up(), r::detail);
            RedisFacts facts = facts(r);
            assertEquals(RedisFacts.Role.SLAVE, facts.role());
            assertEquals("127.0.0.1:" + servers.masterPort, facts.masterAddr());
            assertEquals("127.0.0.1:" + servers.masterPort, facts.sentinelMaster());
            assertFalse(facts.sentinelMasterIsThisNode());
        }
    }

    @Test
    @Order(3)
    void unreachableSentinelsLeaveTheNodeUpWithoutAVerdict() throws Exception {
        int nobody = freePort();
        try (RedisProbe probe = probe(servers.masterUri(), List.of("127.0.0.1:" + nobody))) {
            ProbeResult r = check(probe);

            assertTrue(r.up(), r::detail);
            assertNull(facts(r).sentinelMaster(), r::toString);
            assertTrue(r.detail().endsWith("no sentinel answered (0 of 1)"), r::detail);
        }
    }

    @Test
    @Order(3)
    void anUnreachableSentinelCountsAgainstTheMajority() throws Exception {
        List<String> oneOfThree = List.of(servers.sentinel(), "127.0.0.1:" + freePort(), "127.0.0.1:" + freePort());
        try (RedisProbe probe = probe(servers.masterUri(), oneOfThree)) {
            ProbeResult r = check(probe);

            assertTrue(r.up(), r::detail);
            RedisFacts facts = facts(r);
            assertEquals("127.0.0.1:" + servers.masterPort, facts.sentinelMaster());
            assertTrue(facts.sentinelMasterIsThisNode());
            assertEquals(1, facts.sentinelsAgreeing());
            assertEquals(1, facts.sentinelsAnswered());
            assertEquals(3, facts.sentinelsConfigured());
            assertFalse(facts.electedBySentinels(), "1 of 3 configured is no majority, whoever did not answer");
            assertTrue(r.detail().endsWith("1 of 3 sentinels name 127.0.0.1:" + servers.masterPort
                    + " as master " + RedisServers.MASTER_NAME + " (this node), no majority (needs 2), 2 did not answer"),
                    r::detail);
        }
    }

    @Test
    @Order(3)
    void aSentinelThatKnowsNoSuchMasterCountsAgainstTheMajorityToo() throws Exception {
        try (RedisProbe probe = new RedisProbe("redis", servers.masterUri(), "no-such-master",
                List.of(servers.sentinel()), TIMEOUT)) {
            ProbeResult r = check(probe);

            assertTrue(r.up(), r::detail);
            assertNull(facts(r).sentinelMaster());
            assertFalse(facts(r).electedBySentinels());
            assertTrue(r.detail().endsWith("1 of 1 sentinels know no master named no-such-master"), r::detail);
        }
    }

    @Test
    void eachSentinelMayTriggerItsOwnRecheck() {
        try (RedisProbe probe = new RedisProbe("redis", null, "m", List.of("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"),
                TIMEOUT); RedisProbe plain = new RedisProbe("plain", null, null, List.of(), TIMEOUT)) {
            assertEquals(4, probe.eventChecksPerInterval(), "a connection close plus one +switch-master per sentinel");
            assertEquals(1, plain.eventChecksPerInterval(), "only its connection closing");
        }
    }

    @Test
    @Order(4)
    void withoutSentinelsOnlyPingAndRole() throws Exception {
        try (RedisProbe probe = new RedisProbe("redis", servers.sentinelUri(), null, List.of(), TIMEOUT)) {
            ProbeResult r = check(probe);

            assertTrue(r.up(), r::detail);
            assertEquals(RedisFacts.Role.SENTINEL, facts(r).role());
            assertNull(facts(r).sentinelMaster());
        }
    }

    @Test
    @Order(5)
    void serverThatNeverAnswersTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             RedisProbe probe = new RedisProbe("silent", "redis://127.0.0.1:" + silent.getLocalPort(), null,
                     List.of(), Duration.ofMillis(300))) {
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
    void killingTheMasterFiresWatchAndTheNextCheckIsRefused() throws Exception {
        try (RedisProbe probe = probe(servers.masterUri(), List.of(servers.sentinel()))) {
            CountDownLatch changed = new CountDownLatch(1);
            probe.watch(changed::countDown);
            assertTrue(check(probe).up());

            servers.killMaster();

            assertTrue(changed.await(10, TimeUnit.SECONDS), "watch callback not called within 10 s");
            ProbeResult r = check(probe);
            assertFalse(r.up());
            assertTrue(r.detail().startsWith("connection refused by 127.0.0.1:" + servers.masterPort), r::detail);
            assertNull(facts(r).role(), "the node did not answer");
            assertTrue(facts(r).sentinelMasterIsThisNode(), "Sentinel still names it: no failover yet");
        }
    }

    @Test
    void sameNodeComparesHostAndPort() {
        assertTrue(RedisProbe.sameNode("127.0.0.1", 6379, "127.0.0.1", 6379));
        assertFalse(RedisProbe.sameNode("127.0.0.1", 6379, "127.0.0.1", 6380));
        assertTrue(RedisProbe.sameNode("localhost", 6379, "127.0.0.1", 6379));
        assertTrue(RedisProbe.sameNode("::1", 6379, "0:0:0:0:0:0:0:1", 6379));
        assertFalse(RedisProbe.sameNode("127.0.0.1", 6379, "192.0.2.77", 6379), "not an address of this host");
        assertFalse(RedisProbe.sameNode("192.0.2.1", 6379, "192.0.2.2", 6379));
        assertFalse(RedisProbe.sameNode("redis-a", 6379, "redis-b", 6379));
    }

    @Test
    void loopbackNodeMatchesAnAddressOfALocalInterface() throws Exception {
        InetAddress local = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> !a.isLoopbackAddress() && a instanceof Inet4Address)
                .findFirst().orElse(null);
        assumeTrue(local != null, "no non-loopback IPv4 address on this host");

        assertTrue(RedisProbe.sameNode("127.0.0.1", 6379, local.getHostAddress(), 6379));
    }

    @Test
    void roleFactsOfAReplica() {
        assertEquals(new RedisFacts(RedisFacts.Role.SLAVE, "10.0.0.1:6379", "connected"),
                RedisProbe.roleFacts(List.of("slave", "10.0.0.1", 6379L, "connected", 1234L)));
        assertEquals(new RedisFacts(RedisFacts.Role.MASTER, null, null),
                RedisProbe.roleFacts(List.of("master", 0L, List.of())));
        assertEquals(RedisFacts.Role.UNKNOWN, RedisProbe.roleFacts(List.of()).role());
    }

    @Test
    void sentinelMasterNeedsSentinels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RedisProbe("r", null, "mymaster", List.of(), TIMEOUT));
        assertEquals("probe r: sentinel-master \"mymaster\" needs at least one entry in sentinels", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new RedisProbe("r", null, "mymaster", List.of("127.0.0.1"), TIMEOUT));
        assertEquals("probe r: a sentinel must be host:port, got \"127.0.0.1\"", e.getMessage());
    }

    private static RedisProbe probe(String uri, List<String> sentinels) {
        return new RedisProbe("redis", uri, RedisServers.MASTER_NAME, sentinels, TIMEOUT);
    }

    private static RedisFacts facts(ProbeResult r) {
        return r.facts(RedisFacts.class).orElseThrow(() -> new AssertionError("no Redis facts: " + r));
    }

    private static ProbeResult check(Probe probe) throws Exception {
        return probe.check().get(TIMEOUT.toMillis() + 5000, TimeUnit.MILLISECONDS);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
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
