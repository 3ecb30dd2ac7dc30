package org.omnileads.omlha.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.config.Follow;
import org.omnileads.omlha.probes.ProbeResult;
import org.omnileads.omlha.probes.RedisFacts;

/** The Redis VIP goes only where ROLE says master and a majority of the configured Sentinels name this node. */
class RedisFollowPolicyTest {
    private static final String SELF = "192.0.2.11:6379";
    private static final String OTHER = "192.0.2.12:6379";

    private static ProbeResult seen(RedisFacts.Role role, String named, boolean self, int agreeing, int answered, int configured) {
        return ProbeResult.up(1, "PONG").withFacts(new RedisFacts(role, null, null, named, self, agreeing, answered, configured));
    }

    @Test
    void theElectedMasterIsTheRightfulHolder() {
        RedisFollowPolicy.Outcome outcome = RedisFollowPolicy.evaluate(100, "redis",
                seen(RedisFacts.Role.MASTER, SELF, true, 2, 2, 3));
        assertNull(outcome.faultReason());
        assertTrue(outcome.rightful());
        assertEquals(100, outcome.priority());
    }

    @Test
    void aMasterCutOffFromTheSentinelMajorityGivesUp() {
        RedisFollowPolicy.Outcome outcome = RedisFollowPolicy.evaluate(100, "redis",
                seen(RedisFacts.Role.MASTER, SELF, true, 1, 1, 3));
        assertEquals("redis is master but not elected: 1 of 3 sentinels name 192.0.2.11:6379 (this node), a majority is 2 of 3"
                + " configured (1 answered)", outcome.faultReason());
        assertFalse(outcome.rightful());
        assertFalse(outcome.staleMaster(), "cut off, not outvoted");
    }

    @Test
    void aStaleMasterNeverHoldsIt() {
        RedisFollowPolicy.Outcome outcome = RedisFollowPolicy.evaluate(100, "redis",
                seen(RedisFacts.Role.MASTER, OTHER, false, 3, 3, 3));
        assertEquals("stale master: 3 of 3 sentinels name 192.0.2.12:6379", outcome.faultReason());
        assertTrue(outcome.staleMaster());
        assertFalse(outcome.rightful());
    }

    @Test
    void aReplicaNamedByTheSentinelsWaitsForItsPromotion() {
        RedisFollowPolicy.Outcome outcome = RedisFollowPolicy.evaluate(100, "redis",
                seen(RedisFacts.Role.SLAVE, SELF, true, 3, 3, 3));
        assertEquals("redis is a slave, not the master (3 of 3 sentinels name 192.0.2.11:6379 (this node); Sentinel has not"
                + " finished promoting it)", outcome.faultReason());
    }

    @Test
    void aReplicaOrAnUnreachableRedisOrNoResultYetHoldsNothing() {
        assertEquals("redis is a slave of 192.0.2.12:6379, not the master", RedisFollowPolicy.evaluate(100, "redis",
                ProbeResult.up(1, "PONG").withFacts(new RedisFacts(RedisFacts.Role.SLAVE, OTHER, "connected", OTHER, false, 3, 3, 3)))
                .faultReason());
        assertEquals("redis redis unreachable: connection refused by 127.0.0.1:6379", RedisFollowPolicy.evaluate(100, "redis",
                ProbeResult.down(1, "connection refused by 127.0.0.1:6379")).faultReason());
        assertEquals("redis redis: no result yet", RedisFollowPolicy.evaluate(100, "redis", null).faultReason());
    }

    /** Through the node's policy: FAULT releases at once, the elected master is rightful, and status shows the view. */
    @Test
    void theNodePolicyReleasesAtOnceAndShowsTheSentinelView() {
        GroupRules group = new GroupRules("redis", "eth0", 2, 100, List.of(), Optional.of(new Follow("redis", Follow.Role.MASTER)));
        NodeFacts facts = new NodeFacts();
        facts.setProbes(Set.of("redis"), Map.of(), Set.of());
        facts.setRedisResult("redis", seen(RedisFacts.Role.MASTER, OTHER, false, 2, 3, 3));
        GroupDecision stale = NodePolicy.decide(group, facts);
        assertTrue(stale.fault());
        assertTrue(stale.releaseAtOnce(), "a stale master must not keep the VIP while handing over");
        assertTrue(stale.redis().staleMaster());
        assertEquals(OTHER, stale.redis().sentinelMaster());
        assertEquals(2, stale.redis().sentinelsAgreeing());

        facts.setRedisResult("redis", seen(RedisFacts.Role.MASTER, SELF, true, 3, 3, 3));
        GroupDecision elected = NodePolicy.decide(group, facts);
        assertFalse(elected.fault());
        assertTrue(elected.rightful());
        assertTrue(elected.redis().elected());
        assertEquals(3, elected.redis().sentinelsConfigured());
    }

    /** Whatever the probe saw, rightful means ROLE master and a strict majority of the configured Sentinels naming us. */
    @Property
    void rightfulOnlyWithRoleMasterAndAMajorityOfTheConfigured(@ForAll("facts") RedisFacts facts) {
        RedisFollowPolicy.Outcome outcome = RedisFollowPolicy.evaluate(100, "redis", ProbeResult.up(1, "PONG").withFacts(facts));
        boolean elected = facts.role() == RedisFacts.Role.MASTER && facts.sentinelMasterIsThisNode()
                && 2 * facts.sentinelsAgreeing() > facts.sentinelsConfigured();
        assertEquals(elected, outcome.rightful(), facts::toString);
        assertEquals(!elected, outcome.faultReason() != null, facts::toString);
        if (outcome.staleMaster()) {
            assertFalse(facts.sentinelMasterIsThisNode());
        }
    }

    @Provide
    Arbitrary<RedisFacts> facts() {
        return Combinators.combine(Arbitraries.of(RedisFacts.Role.values()), Arbitraries.integers().between(1, 7),
                Arbitraries.integers().between(0, 7), Arbitraries.integers().between(0, 7), Arbitraries.of(true, false))
                .as((role, configured, answered, agreeing, self) -> {
                    int a = Math.min(answered, configured);
                    int g = Math.min(agreeing, a);
                    return new RedisFacts(role, null, null, g == 0 ? null : self ? SELF : OTHER, g > 0 && self, g, a, configured);
                });
    }
}
