package org.omnileads.omlha.agent.status;

import java.util.List;
import java.util.Map;
import org.omnileads.omlha.probes.ProbeSnapshot;

/** What the control socket answers to {@code status}: the whole agent at one instant. */
public record AgentStatus(String node, String tenant, long pid, long uptimeMs, List<GroupStatus> groups, List<ProbeStatus> probes,
        Map<String, Long> packetsDropped, long loopErrors, LoopStatus loop) {

    /**
     * The VRRP loop thread: its scheduling class ({@code SCHED_FIFO} or {@code SCHED_OTHER}) and real-time priority,
     * why real-time was refused (or null), and the bytes it has allocated on its VRRP paths (timers, sends, receives;
     * status queries and probe events excluded), -1 where the JVM cannot count them. After warm-up that count stays
     * put: the loop creates no garbage, so no collection is ever due to it.
     */
    public record LoopStatus(String scheduling, int realtimePriority, String schedulingProblem, long vrrpAllocatedBytes) {
    }

    /**
     * A probe: {@code up} its reported state (after rise/fall; false until {@code known}), the last check's detail and
     * latency, the last failure (kept after recovery, to say why it was down) and the check counts.
     */
    /** {@code watchCloselyMs}: how long the probe is still checked every few ms (a standby's promotion watch), or null. */
    public record ProbeStatus(String name, String type, boolean known, boolean up, String detail, Double latencyMs,
            String lastError, String lastErrorAt, long checks, long failures, Long watchCloselyMs) {

        /** The type shown for the probe of a peer's database (a PostgreSQL probe's {@code peers}). */
        public static final String PEER_TYPE = "postgresql peer";

        public static ProbeStatus of(ProbeSnapshot s, String type) {
            return new ProbeStatus(s.name(), type, s.known(), s.known() && s.up(),
                    s.lastResult() == null ? null : s.lastResult().detail(),
                    s.lastResult() == null ? null : s.lastResult().durationNanos() / 1e6,
                    s.lastFailure(), s.lastFailureAt() == null ? null : s.lastFailureAt().toString(), s.checks(), s.failures(),
                    s.closeWatchMillisLeft());
        }
    }
}
