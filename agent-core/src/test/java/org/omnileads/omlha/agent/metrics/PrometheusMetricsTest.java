package org.omnileads.omlha.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.status.AgentStatus;

/** The VRRP loop's scheduling in /metrics: whether it is real-time, and while it is not, why (the alert quotes it). */
class PrometheusMetricsTest {
    private static final String PROBLEM = "SCHED_FIFO 10 refused: RLIMIT_RTPRIO is 0 (hard 0), no CAP_SYS_NICE: run it with"
            + " LimitRTPRIO=99 (the shipped unit), `prlimit --rtprio=99`, or as root";

    private static AgentStatus status(AgentStatus.LoopStatus loop) {
        return new AgentStatus("n1", null, 42, 1000, List.of(), List.of(), Map.of(), 0, loop);
    }

    @Test
    void aRefusedLoopExportsWhy() {
        AtomicReference<AgentStatus> now = new AtomicReference<>(status(new AgentStatus.LoopStatus("SCHED_OTHER", 0, PROBLEM, 0)));
        PrometheusMetrics metrics = new PrometheusMetrics(now::get);
        String scrape = metrics.scrape();
        assertTrue(scrape.contains("omlha_vrrp_loop_realtime 0.0\n"), scrape);
        assertTrue(scrape.contains("omlha_vrrp_loop_realtime_refused{reason=\"" + PROBLEM + "\"} 1.0\n"), scrape);

        now.set(status(new AgentStatus.LoopStatus("SCHED_FIFO", 10, null, 0)));
        scrape = metrics.scrape();
        assertTrue(scrape.contains("omlha_vrrp_loop_realtime 1.0\n"), scrape);
        assertFalse(scrape.contains("omlha_vrrp_loop_realtime_refused"), scrape);
    }
}
