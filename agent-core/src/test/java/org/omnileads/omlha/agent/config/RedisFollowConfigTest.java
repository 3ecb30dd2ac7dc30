package org.omnileads.omlha.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.omnileads.omlha.agent.config.TestConfigs.assertProblems;
import static org.omnileads.omlha.agent.config.TestConfigs.valid;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code follow = { probe = redis, role = master }}: what check-config accepts, and how it explains the majority rule. */
class RedisFollowConfigTest {
    private static final String RULE = "the VIP is held only where the local Redis is master and a majority of the configured"
            + " sentinels (more than half, an unreachable one counting against) name it as the master";

    /** A group following probe {@code redis}, whose keys are {@code redisKeys}; the follow line is line 5. */
    private static String config(String redisKeys, String role) {
        return "omlha {\n"                                                                     // 1
                + "  interface = eth0\n"                                                       // 2
                + "  probes { redis { type = redis, " + redisKeys + " } }\n"                   // 3
                + "  groups { redis { vrid = 71, vips = [\"192.0.2.71/24\"],\n"                // 4
                + "    follow = { probe = redis, role = " + role + " } } }\n"                  // 5
                + "}\n";
    }

    private static final String THREE = "uri = \"redis://127.0.0.1:6379\", sentinel-master = mymaster, "
            + "sentinels = [\"192.0.2.62:26379\", \"192.0.2.63:26379\", \"192.0.2.64:26379\"]";

    @Test
    void masterOfARedisProbeWithThreeSentinels() {
        AgentConfig config = valid(config(THREE, "master"));
        assertEquals(Optional.of(new Follow("redis", Follow.Role.MASTER)), config.groups().get(0).follow());
    }

    @Test
    void aRedisProbeFollowsOnlyTheMaster() {
        assertProblems(config(THREE, "primary"),
                "agent.conf:5: omlha.groups.redis.follow.role: must be master for a redis probe, got \"primary\"");
    }

    @Test
    void withoutSentinelsTheRuleIsExplained() {
        assertProblems(config("uri = \"redis://127.0.0.1:6379\"", "master"),
                "agent.conf:5: omlha.groups.redis.follow.probe: probe redis has no sentinel-master and sentinels: " + RULE
                        + "; list the sentinels (three or more) and the master name Sentinel monitors");
    }

    @Test
    void oneOrTwoSentinelsAreTooFewAndSayWhy() {
        assertProblems(config("sentinel-master = m, sentinels = [\"192.0.2.62:26379\"]", "master"),
                "agent.conf:5: omlha.groups.redis.follow.probe: probe redis lists 1 sentinel: " + RULE + ", here 1 of 1, so that"
                        + " one sentinel decides alone and nobody holds the VIP while it is down; list at least three sentinels"
                        + " (Sentinel itself needs three for a safe failover)");
        assertProblems(config("sentinel-master = m, sentinels = [\"192.0.2.62:26379\", \"192.0.2.63:26379\"]", "master"),
                "agent.conf:5: omlha.groups.redis.follow.probe: probe redis lists 2 sentinels: " + RULE + ", here 2 of 2, so both"
                        + " must answer and losing either one leaves nobody holding the VIP; list at least three sentinels"
                        + " (Sentinel itself needs three for a safe failover)");
    }
}
