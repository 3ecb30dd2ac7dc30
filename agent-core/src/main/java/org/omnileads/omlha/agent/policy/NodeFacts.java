package org.omnileads.omlha.agent.policy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.omnileads.omlha.probes.PostgresFacts;
import org.omnileads.omlha.probes.ProbeResult;

/**
 * Everything this node knows that the policy decides on: which links are up, which tracked probes are up, the last
 * result of every PostgreSQL probe (ours and our peers' databases), and which probes run at all. Facts only: no
 * decision is stored here. Owned by the VRRP loop thread (or a simulation's event loop); not thread-safe.
 */
public final class NodeFacts {
    private final Map<Integer, Boolean> linkUp = new HashMap<>();
    /** The tracked probes' states as last reported; a probe not in the map has no result yet. */
    private final Map<String, Boolean> probeUp = new HashMap<>();
    /** The last result of every PostgreSQL probe, for our database and each peer's. */
    private final Map<DatabaseId, ProbeResult> databases = new HashMap<>();
    /** The last result of every Redis probe, by probe name: role and Sentinel view change while it stays up. */
    private final Map<String, ProbeResult> redis = new HashMap<>();
    /**
     * Per PostgreSQL probe, the newest timeline any peer was seen primary on. Kept after that peer becomes unreachable:
     * a primary on an older timeline stays stale even when the new primary dies, or RW would go back to the old timeline.
     */
    private final Map<String, Long> newestPeerPrimaryTimeline = new HashMap<>();
    private Set<String> activeProbes = Set.of();
    /** For each PostgreSQL probe, its peers' databases. */
    private Map<String, List<DatabaseId>> peerProbes = Map.of();
    /** The groups the operator put in maintenance on this node. */
    private final Map<String, MaintenanceMark> maintenance = new HashMap<>();

    /** The operator's mark on {@code group}, or null. */
    public MaintenanceMark maintenance(String group) {
        return maintenance.get(group);
    }

    /** Sets ({@code mark} not null) or clears a group's maintenance mark; returns whether it changed. */
    public boolean setMaintenance(String group, MaintenanceMark mark) {
        MaintenanceMark before = mark == null ? maintenance.remove(group) : maintenance.put(group, mark);
        return !java.util.Objects.equals(before, mark);
    }

    /** The groups in maintenance, in no order. */
    public Set<String> groupsInMaintenance() {
        return Set.copyOf(maintenance.keySet());
    }

    /** A link's state; true for an interface never reported (the kernel is asked before a group starts). */
    public boolean linkUp(int ifIndex) {
        return linkUp.getOrDefault(ifIndex, true);
    }

    /** Records a link's state; returns whether it changed. */
    public boolean setLinkUp(int ifIndex, boolean up) {
        Boolean before = linkUp.put(ifIndex, up);
        return before == null || before != up;
    }

    public boolean knowsLink(int ifIndex) {
        return linkUp.containsKey(ifIndex);
    }

    public Map<String, Boolean> probeUp() {
        return probeUp;
    }

    public void setProbeUp(String probe, boolean up) {
        probeUp.put(probe, up);
    }

    public void setDatabaseResult(DatabaseId database, ProbeResult result) {
        databases.put(database, result);
        if (!database.isLocal() && result.up()) {
            result.facts(PostgresFacts.class).filter(facts -> facts.role() == PostgresFacts.Role.PRIMARY)
                    .ifPresent(facts -> newestPeerPrimaryTimeline.merge(database.probe(), facts.timeline(), Math::max));
        }
    }

    /** The newest timeline a peer of {@code probe} was seen primary on since the agent started, or -1. */
    public long newestPeerPrimaryTimeline(String probe) {
        return newestPeerPrimaryTimeline.getOrDefault(probe, -1L);
    }

    public void setRedisResult(String probe, ProbeResult result) {
        redis.put(probe, result);
    }

    /** The last result of Redis probe {@code probe}, or null before its first check. */
    public ProbeResult redis(String probe) {
        return redis.get(probe);
    }

    public Map<DatabaseId, ProbeResult> databases() {
        return databases;
    }

    public boolean isActive(String probe) {
        return activeProbes.contains(probe);
    }

    public List<DatabaseId> peersOf(String probe) {
        return peerProbes.getOrDefault(probe, List.of());
    }

    /**
     * The probes of a (re)loaded configuration; what probes that changed or are gone last said is forgotten.
     *
     * @param forget names of probes whose results no longer hold (their peers' results go with them)
     */
    public void setProbes(Set<String> active, Map<String, List<DatabaseId>> peers, Set<String> forget) {
        probeUp.keySet().removeIf(forget::contains);
        databases.keySet().removeIf(database -> forget.contains(database.probe()));
        redis.keySet().removeIf(forget::contains);
        newestPeerPrimaryTimeline.keySet().removeIf(forget::contains);
        activeProbes = Set.copyOf(active);
        peerProbes = Map.copyOf(peers);
    }
}
