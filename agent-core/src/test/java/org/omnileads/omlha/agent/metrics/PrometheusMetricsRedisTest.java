package org.omnileads.omlha.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.status.AgentStatus;
import org.omnileads.omlha.agent.status.GroupStatus;

/** A group that follows the Redis master exports the Sentinel view: who is named, how many agree of how many. */
class PrometheusMetricsRedisTest {

    private static AgentStatus status(String master, int agreeing, boolean elected) {
        GroupStatus group = new GroupStatus("redis", 71, "eth0", 3, elected ? "MASTER" : "FAULT", 100, 100, 1000,
                List.of("192.0.2.71/24"), elected, List.of(), null, false, false, null, 0, List.of(), 0, 0, 0, Map.of(), List.of(),
                null, new GroupStatus.RedisStatus("redis", "master", master, elected, agreeing, 3, 3, elected, !elected, "PONG"));
        return new AgentStatus("n1", "", 1, 1, List.of(group), List.of(), Map.of(), 0, null);
    }

    @Test
    void theSentinelViewAndItsMaster() {
        AtomicReference<AgentStatus> now = new AtomicReference<>(status("192.0.2.11:6379", 3, true));
        PrometheusMetrics metrics = new PrometheusMetrics(now::get);

        String scrape = metrics.scrape();
        assertTrue(scrape.contains("omlha_redis_sentinels_agreeing{group=\"redis\",probe=\"redis\"} 3.0"), scrape);
        assertTrue(scrape.contains("omlha_redis_sentinels_configured{group=\"redis\",probe=\"redis\"} 3.0"), scrape);
        assertTrue(scrape.contains("omlha_redis_elected{group=\"redis\",probe=\"redis\"} 1.0"), scrape);
        assertTrue(scrape.contains("omlha_redis_sentinel_master{group=\"redis\",master=\"192.0.2.11:6379\",probe=\"redis\"} 1.0"),
                scrape);

        now.set(status("192.0.2.12:6379", 2, false));
        scrape = metrics.scrape();
        assertTrue(scrape.contains("omlha_redis_sentinels_agreeing{group=\"redis\",probe=\"redis\"} 2.0"), scrape);
        assertTrue(scrape.contains("omlha_redis_stale_master{group=\"redis\",probe=\"redis\"} 1.0"), scrape);
        assertTrue(scrape.contains("omlha_redis_sentinel_master{group=\"redis\",master=\"192.0.2.12:6379\",probe=\"redis\"} 1.0"),
                scrape);
        assertFalse(scrape.contains("master=\"192.0.2.11:6379\""), "the previous master's series is gone: " + scrape);
    }
}
