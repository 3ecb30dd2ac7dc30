package org.omnileads.omlha.agent.status;

import java.util.List;
import java.util.Map;
import org.omnileads.omlha.probes.ProbeSnapshot;

/** What the control socket answers to {@code status}: the whole agent at one instant. */
public record AgentStatus(String node, String tenant, long pid, long uptimeMs, List<GroupStatus> groups, List<ProbeStatus> probes,
        Map<String, Long> packetsDropped, long loopErrors) {

    /**
     * A probe: {@code up} its reported state (after rise/fall; false until {@code known}), the last check's detail and
     * latency, the last failure (kept after recovery, to say why it was down) and the check counts.
     */
    public record ProbeStatus(String name, String type, boolean known, boolean up, String detail, Double latencyMs,
            String lastError, String lastErrorAt, long checks, long failures) {

        public static ProbeStatus of(ProbeSnapshot s, String type) {
            return new ProbeStatus(s.name(), type, s.known(), s.known() && s.up(),
                    s.lastResult() == null ? null : s.lastResult().detail(),
                    s.lastResult() == null ? null : s.lastResult().durationNanos() / 1e6,
                    s.lastFailure(), s.lastFailureAt() == null ? null : s.lastFailureAt().toString(), s.checks(), s.failures());
        }
    }
}
