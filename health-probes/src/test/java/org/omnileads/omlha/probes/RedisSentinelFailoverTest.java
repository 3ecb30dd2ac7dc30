package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real failover under three real Sentinels (Debian's redis-sentinel): the probe hears {@code +switch-master} on its
 * subscriptions and calls its watch callback (so does the close of its connection, which Sentinel kills on the
 * promoted replica), and then names the promoted replica as the master a majority elected,
 * while the old master (still answering ROLE master) is no longer named.
 */
class RedisSentinelFailoverTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private RedisServers servers;

    @BeforeEach
    void start() throws Exception {
        servers = RedisServers.start(3);
    }

    @AfterEach
    void stop() throws Exception {
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    void switchMasterCallsWatchAndTheReplicaBecomesTheElectedMaster() throws Exception {
        try (RedisProbe replica = probe(servers.replicaUri()); RedisProbe master = probe(servers.masterUri())) {
            CountDownLatch told = new CountDownLatch(1);
            replica.watch(told::countDown);
            RedisFacts before = facts(check(replica));
            assertEquals(RedisFacts.Role.SLAVE, before.role());
            assertFalse(before.electedBySentinels());
            assertEquals(3, before.sentinelsAgreeing(), "every sentinel names the first master");
            assertTrue(facts(check(master)).electedBySentinels());

            assertTrue(servers.failover().startsWith("+OK"), "SENTINEL FAILOVER refused");

            // Sentinel's CLIENT KILL on the promoted replica may call it first; the +switch-master messages follow.
            assertTrue(told.await(30, TimeUnit.SECONDS), "no watch callback within 30 s of the failover");
            for (int i = 0; i < 300 && replica.switchesHeard() == 0; i++) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
            assertTrue(replica.switchesHeard() > 0, "no +switch-master message within 30 s");
            RedisFacts after = awaitElected(replica);
            assertEquals(RedisFacts.Role.MASTER, after.role());
            assertEquals("127.0.0.1:" + servers.replicaPort, after.sentinelMaster());
            RedisFacts old = facts(check(master));
            assertFalse(old.electedBySentinels(), "the old master is no longer the one they name: " + old);
            assertEquals("127.0.0.1:" + servers.replicaPort, old.sentinelMaster());
        }
    }

    /** The Sentinels learn the switch from each other within a few hundred ms; a bounded number of checks. */
    private static RedisFacts awaitElected(RedisProbe probe) throws Exception {
        RedisFacts facts = null;
        for (int i = 0; i < 50; i++) {
            facts = facts(check(probe));
            if (facts.electedBySentinels()) {
                return facts;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError("the promoted replica is not named by a majority after 50 checks: " + facts);
    }

    private RedisProbe probe(String uri) {
        return new RedisProbe("redis", uri, RedisServers.MASTER_NAME, servers.sentinels(), TIMEOUT);
    }

    private static RedisFacts facts(ProbeResult r) {
        return r.facts(RedisFacts.class).orElseThrow(() -> new AssertionError("no Redis facts: " + r));
    }

    private static ProbeResult check(Probe probe) throws Exception {
        return probe.check().get(TIMEOUT.toMillis() + 5000, TimeUnit.MILLISECONDS);
    }
}
