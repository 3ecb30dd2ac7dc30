package org.omnileads.omlha.agent.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.omnileads.omlha.agent.status.AgentStatus;
import org.omnileads.omlha.agent.status.GroupStatus;
import org.omnileads.omlha.vrrp.packet.DropReason;

/**
 * The contract's metrics (CONTRACT.md, "Metrics") in a Micrometer Prometheus registry, plus JVM and process
 * metrics. Every agent meter reads the status snapshot taken when the scrape starts, so the VRRP loop does no
 * metrics work of its own and one scrape is consistent across all meters. The per-group, per-VIP and per-probe meters
 * follow that snapshot: a group or probe added by a reload is exported from the next scrape on, one removed is no
 * longer exported.
 */
public final class PrometheusMetrics {
    private static final List<String> STATES = List.of("INIT", "BACKUP", "MASTER", "FAULT");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Supplier<AgentStatus> status;
    private volatile AgentStatus snapshot;
    /** The meters of each group, VIP and probe now exported, by a key such as {@code group:a} or {@code vip:a:192.0.2.1/24}. */
    private final Map<String, List<Meter>> dynamic = new HashMap<>();

    public PrometheusMetrics(Supplier<AgentStatus> status) {
        this.status = status;
        // Two processor meters whose Prometheus names promtool rejects (an abbreviated unit, a "_count" gauge): left out.
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time") || id.getName().equals("system.cpu.count")));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        for (DropReason reason : DropReason.values()) {
            counter(null, "omlha.vrrp.packets.dropped", "VRRP packets rejected, by reason", Tags.of("reason", reason.label()),
                    s -> s.packetsDropped().getOrDefault(reason.label(), 0L));
        }
        gauge(null, "omlha.vrrp.loop.realtime", "1 while the VRRP loop thread runs at SCHED_FIFO (see status: why not)", Tags.empty(),
                s -> s.loop() != null && s.loop().scheduling().equals("SCHED_FIFO") ? 1 : 0);
        counter(null, "omlha.vrrp.loop.allocated.bytes", "bytes the VRRP loop allocated on its timer, send and receive paths "
                + "(flat while the cluster is steady)", Tags.empty(), s -> s.loop() == null ? 0 : Math.max(0, s.loop().vrrpAllocatedBytes()));
    }

    /** The Prometheus text exposition of every meter, from one fresh status snapshot. */
    public synchronized String scrape() {
        AgentStatus now = status.get();
        snapshot = now;
        follow(now);
        return registry.scrape();
    }

    /** Registers the meters of what the snapshot has and nothing exports yet, removes those of what it no longer has. */
    private void follow(AgentStatus now) {
        Set<String> present = new HashSet<>();
        for (GroupStatus group : now.groups()) {
            String name = group.name();
            present.add("group:" + name);
            if (!dynamic.containsKey("group:" + name)) {
                List<Meter> meters = new ArrayList<>();
                bindGroup(meters, name);
                dynamic.put("group:" + name, meters);
            }
            if (group.database() != null) {
                present.add("database:" + name);
                dynamic.computeIfAbsent("database:" + name, key -> List.of(gauge(null, "omlha.postgresql.stale.primary",
                        "1 while this node's database is a stale primary (a peer is primary on a newer timeline)", Tags.of("group", name),
                        s -> group(s, name) != null && group(s, name).database() != null && group(s, name).database().stalePrimary() ? 1 : 0)));
            }
            if (group.redis() != null) {
                followRedis(present, name, group.redis());
            }
            for (String vip : group.vips()) {
                String key = "vip:" + name + ":" + vip;
                present.add(key);
                dynamic.computeIfAbsent(key, k -> List.of(gauge(null, "omlha.vip.attached", "1 while the VIP is on the NIC",
                        Tags.of("group", name, "vip", vip), s -> group(s, name) != null && group(s, name).vipsOnNic().contains(vip) ? 1 : 0)));
            }
        }
        String refused = now.loop() == null ? null : now.loop().schedulingProblem();
        if (refused != null) {
            // The sentence itself (cause and remedy) as a label: the alert OmlhaLoopNotRealtime quotes it. Set once,
            // when the loop starts, so one series per agent process.
            present.add("loop-refused:" + refused);
            dynamic.computeIfAbsent("loop-refused:" + refused, key -> List.of(gauge(null, "omlha.vrrp.loop.realtime.refused",
                    "1 while SCHED_FIFO is refused to the VRRP loop thread; reason: why, and what to change", Tags.of("reason", refused),
                    s -> 1)));
        }
        for (AgentStatus.ProbeStatus probe : now.probes()) {
            if (probe.type().equals(AgentStatus.ProbeStatus.PEER_TYPE)) {
                continue; // a peer's database is asked for its facts; its own node exports whether it is up
            }
            String name = probe.name();
            present.add("probe:" + name);
            dynamic.computeIfAbsent("probe:" + name, key -> List.of(
                    gauge(null, "omlha.probe.up", "1 while the probe is up (after rise/fall)", Tags.of("probe", name),
                            s -> probe(s, name) != null && probe(s, name).up() ? 1 : 0),
                    Gauge.builder("omlha.probe.duration", this, m -> {
                                AgentStatus.ProbeStatus p = probe(m.current(), name);
                                return p == null || p.latencyMs() == null ? Double.NaN : p.latencyMs() / 1000.0;
                            })
                            .description("how long the last check took").baseUnit("seconds").tags(Tags.of("probe", name))
                            .register(registry)));
        }
        dynamic.entrySet().removeIf(entry -> {
            if (present.contains(entry.getKey())) {
                return false;
            }
            entry.getValue().forEach(registry::remove);
            return true;
        });
    }

    /**
     * The Sentinel view of a group that follows the Redis master: how many of the configured Sentinels name the master
     * most of them name, how many are configured and answered, whether they elect this node, and which master they name
     * (a 1 labelled with its address; the series of the previous master goes when they name another).
     */
    private void followRedis(Set<String> present, String name, GroupStatus.RedisStatus redis) {
        present.add("redis:" + name);
        Tags tags = Tags.of("group", name, "probe", redis.probe());
        dynamic.computeIfAbsent("redis:" + name, key -> List.of(
                gauge(null, "omlha.redis.sentinels.agreeing", "how many of the configured Sentinels name the master most of them name",
                        tags, s -> redis(s, name) == null ? 0 : redis(s, name).sentinelsAgreeing()),
                gauge(null, "omlha.redis.sentinels.configured", "the Sentinels the redis probe lists (a majority is more than half)",
                        tags, s -> redis(s, name) == null ? 0 : redis(s, name).sentinelsConfigured()),
                gauge(null, "omlha.redis.sentinels.answered", "how many of the configured Sentinels answered the last check",
                        tags, s -> redis(s, name) == null ? 0 : redis(s, name).sentinelsAnswered()),
                gauge(null, "omlha.redis.elected", "1 while a majority of the configured Sentinels name this node's Redis as the master",
                        tags, s -> redis(s, name) != null && redis(s, name).elected() ? 1 : 0),
                gauge(null, "omlha.redis.stale.master", "1 while this node's Redis says master and a majority of the Sentinels name another",
                        tags, s -> redis(s, name) != null && redis(s, name).staleMaster() ? 1 : 0)));
        if (redis.sentinelMaster() != null) {
            String master = redis.sentinelMaster();
            present.add("redis-master:" + name + ":" + master);
            dynamic.computeIfAbsent("redis-master:" + name + ":" + master, key -> List.of(gauge(null, "omlha.redis.sentinel.master",
                    "1 for the master most of the Sentinels name", tags.and("master", master),
                    s -> redis(s, name) != null && master.equals(redis(s, name).sentinelMaster()) ? 1 : 0)));
        }
    }

    private static GroupStatus.RedisStatus redis(AgentStatus status, String group) {
        GroupStatus g = group(status, group);
        return g == null ? null : g.redis();
    }

    private void bindGroup(List<Meter> meters, String name) {
        for (String state : STATES) {
            gauge(meters, "omlha.group.state", "1 for the group's current state, 0 for the others", Tags.of("group", name, "state", state),
                    s -> group(s, name) != null && group(s, name).state().equals(state) ? 1 : 0);
            counter(meters, "omlha.group.transitions", "state changes, by the state entered", Tags.of("group", name, "to", state),
                    s -> group(s, name) == null ? 0 : group(s, name).transitionCounts().getOrDefault(state, 0L));
        }
        gauge(meters, "omlha.group.priority", "the effective priority now", Tags.of("group", name),
                s -> group(s, name) == null ? 0 : group(s, name).effectivePriority());
        gauge(meters, "omlha.group.maintenance", "1 while the group is in maintenance on this node", Tags.of("group", name),
                s -> group(s, name) != null && group(s, name).maintenance() ? 1 : 0);
        gauge(meters, "omlha.group.handing.over", "1 while this node still holds VIPs of a group it gave up, until the new master is heard",
                Tags.of("group", name), s -> group(s, name) != null && group(s, name).handingOver() ? 1 : 0);
        counter(meters, "omlha.vrrp.adverts.sent", "VRRP adverts sent", Tags.of("group", name),
                s -> group(s, name) == null ? 0 : group(s, name).advertsSent());
        counter(meters, "omlha.vrrp.adverts.received", "valid VRRP adverts received", Tags.of("group", name),
                s -> group(s, name) == null ? 0 : group(s, name).advertsReceived());
    }

    private AgentStatus current() {
        AgentStatus s = snapshot;
        return s != null ? s : status.get();
    }

    private Meter gauge(List<Meter> into, String name, String help, Tags tags, ToDoubleFunction<AgentStatus> value) {
        Meter meter = Gauge.builder(name, this, m -> value.applyAsDouble(m.current())).description(help).tags(tags).register(registry);
        if (into != null) {
            into.add(meter);
        }
        return meter;
    }

    private Meter counter(List<Meter> into, String name, String help, Tags tags, ToDoubleFunction<AgentStatus> value) {
        Meter meter = FunctionCounter.builder(name, this, m -> value.applyAsDouble(m.current())).description(help).tags(tags)
                .register(registry);
        if (into != null) {
            into.add(meter);
        }
        return meter;
    }

    private static GroupStatus group(AgentStatus status, String name) {
        for (GroupStatus group : status.groups()) {
            if (group.name().equals(name)) {
                return group;
            }
        }
        return null;
    }

    private static AgentStatus.ProbeStatus probe(AgentStatus status, String name) {
        for (AgentStatus.ProbeStatus probe : status.probes()) {
            if (probe.name().equals(name)) {
                return probe;
            }
        }
        return null;
    }
}
