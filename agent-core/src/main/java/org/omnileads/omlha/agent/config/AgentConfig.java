package org.omnileads.omlha.agent.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole agent configuration ({@code omlha { ... }}), validated, defaults applied. {@code metricsListen} is
 * {@code host:port}, or "" when the metrics endpoint is off; {@code defaultInterface} is "" when every group
 * names its own. Groups and probes are in file order. {@code notifications} is {@code omlha.notify} (a record
 * component cannot be called {@code notify}: it would clash with {@link Object#notify()}). {@code realtimePriority}
 * is the SCHED_FIFO priority of the VRRP loop thread, 0 for ordinary scheduling.
 */
public record AgentConfig(String node, String tenant, String defaultInterface, Path controlSocket, Path stateDir, String metricsListen,
        int realtimePriority, VrrpDefaults vrrp, List<GroupConfig> groups, List<ProbeConfig> probes, NotifyConfig notifications,
        Map<String, List<String>> syncGroups) {

    /**
     * Above ordinary threads, below the kernel's threaded interrupt handlers (priority 50 on PREEMPT_RT kernels), which
     * deliver the very packets the loop waits for.
     */
    public static final int DEFAULT_REALTIME_PRIORITY = 10;

    public static final Path DEFAULT_CONTROL_SOCKET = Path.of("/run/omlha/agent.sock");
    /** What survives a restart (the maintenance marks); the unit's {@code StateDirectory=omlha}. */
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/omlha");
    public static final String DEFAULT_METRICS_LISTEN = "0.0.0.0:9273";

    public AgentConfig {
        groups = List.copyOf(groups);
        probes = List.copyOf(probes);
        syncGroups = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(syncGroups));
    }

    public Optional<ProbeConfig> probe(String name) {
        return probes.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public Optional<GroupConfig> group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst();
    }
}
