package org.omnileads.omlha.agent.status;

import java.util.List;
import java.util.Map;

/** What the control socket answers to {@code status}: the whole agent at one instant. */
public record AgentStatus(String node, String tenant, long pid, long uptimeMs, List<GroupStatus> groups, List<ProbeStatus> probes,
        Map<String, Long> packetsDropped, long loopErrors) {

    /** A configured probe. Probes are not run before issue 3; {@code active} says so. */
    public record ProbeStatus(String name, String type, boolean up, boolean active) {}
}
