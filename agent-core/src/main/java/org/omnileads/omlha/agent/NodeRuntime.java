package org.omnileads.omlha.agent;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.Follow;
import org.omnileads.omlha.agent.config.ProbeSpec;
import org.omnileads.omlha.agent.config.ProbeConfig;
import org.omnileads.omlha.agent.policy.DatabaseId;
import org.omnileads.omlha.agent.policy.GroupDecision;
import org.omnileads.omlha.agent.policy.GroupRules;
import org.omnileads.omlha.agent.policy.MaintenanceMark;
import org.omnileads.omlha.agent.policy.NodeFacts;
import org.omnileads.omlha.agent.policy.NodePolicy;
import org.omnileads.omlha.agent.policy.PromotionWatch;
import org.omnileads.omlha.agent.status.GroupStatus;
import org.omnileads.omlha.probes.ProbeResult;
import org.omnileads.omlha.vip.VipAddress;
import org.omnileads.omlha.vrrp.fsm.Handover;

/**
 * Everything one node runs, driven by events that each carry their {@code now}: the groups, the facts the policy
 * decides on, and the decisions applied to the routers. It does no I/O of its own and reads no clock: the VRRP loop
 * feeds it from sockets and netlink, a simulation from its own network. Not thread-safe: one loop owns it.
 *
 * <p>Every fact that changes (a link, a probe, a database, a reload) goes into {@link NodeFacts}; then
 * {@link NodePolicy} decides every group afresh and each decision is applied to its group's router. An advert or a
 * timer never involves the policy.
 */
final class NodeRuntime {
    /**
     * Where the runtime asks for a local database to be checked closely for a while ({@code on}) or no longer: the
     * probe scheduler in the agent, nothing in a simulation. Called on the loop thread; must not block.
     */
    interface DatabaseWatch {
        DatabaseWatch NONE = (probe, on, why) -> { };

        void watchClosely(String probe, boolean on, String why);
    }

    private final NodeFacts facts = new NodeFacts();
    private final DatabaseWatch databaseWatch;
    /** The PostgreSQL probes of the running configuration. */
    private Set<String> databaseProbes;
    /** The local databases (by probe) being watched closely, as far as this runtime asked. */
    private final Set<String> watchedClosely = new HashSet<>();
    private final List<GroupRuntime> groups = new ArrayList<>();
    private final DropCounters drops = new DropCounters();
    private Map<String, List<String>> syncGroups = Map.of();
    private boolean started;

    /** What a reload changes, prepared off the loop; {@link #apply(long, Reload)} swaps it in. */
    record Reload(List<String> stopping, List<GroupRuntime> starting, Map<String, List<String>> syncGroups,
            ProbeFacts probes, Map<Integer, Boolean> linkUp) {}

    /**
     * Which probes run, which of them are PostgreSQL probes, the peers of each, and the probes whose results no longer
     * hold.
     */
    record ProbeFacts(Set<String> active, Set<String> databases, Map<String, List<DatabaseId>> peers, Set<String> forget) {

        /** The probes of {@code config}; {@code forget}: those a reload stops or changes. */
        static ProbeFacts of(AgentConfig config, Set<String> forget) {
            Set<String> names = new HashSet<>();
            Set<String> databases = new java.util.TreeSet<>();
            Map<String, List<DatabaseId>> peers = new HashMap<>();
            for (ProbeConfig probe : config.probes()) {
                names.add(probe.name());
                if (probe.spec() instanceof ProbeSpec.Postgres) {
                    databases.add(probe.name());
                }
                List<DatabaseId> peerIds = ProbeFactory.peerIds(probe);
                if (!peerIds.isEmpty()) {
                    peers.put(probe.name(), peerIds);
                }
            }
            return new ProbeFacts(names, databases, peers, Set.copyOf(forget));
        }
    }

    NodeRuntime(ProbeFacts probes, Map<String, List<String>> syncGroups, DatabaseWatch databaseWatch) {
        facts.setProbes(probes.active(), probes.peers(), probes.forget());
        this.databaseProbes = Set.copyOf(probes.databases());
        this.syncGroups = Map.copyOf(syncGroups);
        this.databaseWatch = databaseWatch;
    }

    /** A group of the starting configuration, with the link state of its interface as the kernel reports it. */
    void add(GroupRuntime group, boolean linkUp) {
        if (started) {
            throw new IllegalStateException("add() after start(): a reload goes through apply()");
        }
        if (!facts.knowsLink(group.channel().ifIndex())) {
            facts.setLinkUp(group.channel().ifIndex(), linkUp);
        }
        groups.add(group);
        group.channel().dispatcher().register(group);
        group.onResigned(this::onMasterResigned);
    }

    /**
     * Removes what a crashed run left of the VIPs (on the loop thread, which owns the VIPs from here on), then every
     * group leaves INIT with the policy's first decision.
     */
    void start(long now) {
        started = true;
        for (GroupRuntime group : groups) {
            group.removeStaleVips();
        }
        Map<String, GroupDecision> decisions = decide();
        for (GroupRuntime group : groups) {
            group.start(now, decisions.get(group.name()));
        }
    }

    void fireTimers(long now) {
        // Indexed loops on the timer path: an iterator per turn would be garbage at every advert.
        boolean keptUntaken = false;
        for (int i = 0; i < groups.size(); i++) {
            GroupRuntime group = groups.get(i);
            group.fireTimers(now);
            keptUntaken |= group.router().lastHandover() == Handover.KEPT_UNTAKEN && facts.maintenance(group.name()) != null;
        }
        if (keptUntaken) {
            dropUntakenMaintenance(now);
        }
    }

    /**
     * Nobody took a group that {@code maintenance on} (without --force) handed over: its router took it back, so the
     * mark goes (the command reports exit 4).
     */
    private void dropUntakenMaintenance(long now) {
        for (GroupRuntime group : groups) {
            if (group.router().lastHandover() == Handover.KEPT_UNTAKEN && facts.maintenance(group.name()) != null) {
                facts.setMaintenance(group.name(), null);
            }
        }
        applyDecisions(now);
    }

    // ---- maintenance (the operator's command) ----

    /** What {@code maintenance on|off} found for one group when it was asked: whether it had something to hand over. */
    record MaintenanceStart(String group, boolean handingOver, String state, String master) {}

    /**
     * Marks ({@code on}) or unmarks groups; {@code names} empty means every group. Unknown names change nothing and come
     * back as {@link IllegalArgumentException}, naming them.
     */
    List<MaintenanceStart> maintenance(long now, List<String> names, boolean on, boolean force) {
        List<String> unknown = new ArrayList<>();
        for (String name : names) {
            if (group(name) == null) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("no group " + String.join(", ", unknown) + " on this node (groups: "
                    + String.join(", ", groups.stream().map(GroupRuntime::name).toList()) + ")");
        }
        List<GroupRuntime> chosen = names.isEmpty() ? List.copyOf(groups) : names.stream().map(this::group).toList();
        for (GroupRuntime group : chosen) {
            facts.setMaintenance(group.name(), on ? new MaintenanceMark(!force) : null);
        }
        applyDecisions(now);
        List<MaintenanceStart> started = new ArrayList<>();
        for (GroupRuntime group : chosen) {
            InetAddress master = group.router().masterAddress();
            started.add(new MaintenanceStart(group.name(), on && group.handingOver(), group.state().name(),
                    master == null ? null : VipAddress.format(master)));
        }
        return started;
    }

    /** The groups in maintenance now, for the state directory. */
    Set<String> groupsInMaintenance() {
        return facts.groupsInMaintenance();
    }

    /** Marks read back from the state directory at start: before {@link #start}, so the groups start passive. */
    void restoreMaintenance(Set<String> names) {
        for (String name : names) {
            facts.setMaintenance(name, MaintenanceMark.SETTLED);
        }
    }

    private GroupRuntime group(String name) {
        for (GroupRuntime group : groups) {
            if (group.name().equals(name)) {
                return group;
            }
        }
        return null;
    }

    /** Whether any group still holds VIPs it gave up, waiting for its new master to be heard. */
    boolean handingOver() {
        for (int i = 0; i < groups.size(); i++) {
            if (groups.get(i).handingOver()) {
                return true;
            }
        }
        return false;
    }

    /** The earliest deadline of any group, or {@code fallback} when none comes before it. */
    long nextDeadline(long fallback) {
        long next = fallback;
        for (int i = 0; i < groups.size(); i++) {
            next = groups.get(i).nextDeadline(next);
        }
        return next;
    }

    void onLink(long now, int ifIndex, boolean up) {
        if (facts.setLinkUp(ifIndex, up)) {
            applyDecisions(now);
        }
    }

    /** An address left interface {@code ifIndex}: a group that holds it puts it back. */
    void onAddressRemoved(long now, int ifIndex, VipAddress address) {
        for (int i = 0; i < groups.size(); i++) {
            GroupRuntime group = groups.get(i);
            if (group.channel().ifIndex() == ifIndex) {
                group.onAddressRemoved(now, address);
            }
        }
    }

    /** Address events were lost: every group checks its VIPs by asking. */
    void onAddressEventsLost(long now) {
        for (GroupRuntime group : groups) {
            group.restoreRemovedVips(now);
        }
    }

    /** A tracked probe went up or down (after rise/fall). */
    void onProbeChange(long now, String probe, boolean up) {
        facts.setProbeUp(probe, up);
        applyDecisions(now);
    }

    /** A result of a PostgreSQL probe or peer probe: role, timeline and lag may change while it stays up. */
    void onDatabaseResult(long now, DatabaseId database, ProbeResult result) {
        ProbeResult before = facts.databases().get(database);
        facts.setDatabaseResult(database, result);
        applyDecisions(now);
        watch(database.probe(), PromotionWatch.onResult(database, before, result, facts.databases().get(DatabaseId.local(database.probe()))));
    }

    /** A result of a Redis probe: its role and the Sentinels' view may change while it stays up. */
    void onRedisResult(long now, String probe, ProbeResult result) {
        facts.setRedisResult(probe, result);
        applyDecisions(now);
    }

    /** {@code omlha-agent event}: every local database is watched closely for a while. */
    void onEvent(String words) {
        PromotionWatch.Verdict verdict = PromotionWatch.onEvent(words);
        for (String probe : databaseProbes) {
            watch(probe, verdict);
        }
    }

    /** A priority-0 advert reached {@code group}: if it follows the primary, the standby here may be promoted soon. */
    private void onMasterResigned(GroupRuntime group, InetAddress master) {
        group.rules().follow().filter(follow -> follow.role() == Follow.Role.PRIMARY).ifPresent(follow -> watch(follow.probe(),
                PromotionWatch.onReadWriteResigned(group.name(), VipAddress.format(master),
                        facts.databases().get(DatabaseId.local(follow.probe())))));
    }

    private void watch(String probe, PromotionWatch.Verdict verdict) {
        if (verdict.action() == PromotionWatch.Action.START) {
            watchedClosely.add(probe);
            databaseWatch.watchClosely(probe, true, verdict.why());
        } else if (verdict.action() == PromotionWatch.Action.STOP && watchedClosely.remove(probe)) {
            databaseWatch.watchClosely(probe, false, verdict.why());
        }
    }

    /**
     * Swaps in a reload prepared off the loop: groups that stop resign (a MASTER sends priority 0 and releases its VIPs),
     * then the new ones start, after removing what a crashed run may have left of their VIPs. Unchanged groups are not
     * touched beyond a fresh decision, which for them is the same as before.
     */
    void apply(long now, Reload reload) {
        for (GroupRuntime group : List.copyOf(groups)) {
            if (reload.stopping().contains(group.name())) {
                // No handover for a group that a reload stops or restarts: it leaves the dispatcher now, so it could
                // not hear its taker. It resigns with priority 0 and releases at once, as keepalived does.
                group.shutdown(now);
                group.releaseNow(now);
                group.channel().dispatcher().unregister(group);
                groups.remove(group);
            }
        }
        syncGroups = Map.copyOf(reload.syncGroups());
        facts.setProbes(reload.probes().active(), reload.probes().peers(), reload.probes().forget());
        databaseProbes = Set.copyOf(reload.probes().databases());
        watchedClosely.retainAll(databaseProbes);
        reload.linkUp().forEach((ifIndex, up) -> {
            if (!facts.knowsLink(ifIndex)) {
                facts.setLinkUp(ifIndex, up); // a new interface; one we already follow keeps what its events said
            }
        });
        List<GroupRuntime> starting = new ArrayList<>();
        for (GroupRuntime group : reload.starting()) {
            groups.add(group);
            group.channel().dispatcher().register(group);
            group.onResigned(this::onMasterResigned);
            group.removeStaleVips();
            starting.add(group);
        }
        Map<String, GroupDecision> decisions = decide();
        for (GroupRuntime group : groups) {
            GroupDecision decision = decisions.get(group.name());
            if (starting.contains(group)) {
                group.start(now, decision);
            } else {
                group.apply(now, decision);
            }
        }
    }

    /**
     * Graceful stop: every MASTER sends priority 0 and hands its VIPs over; the loop keeps running while
     * {@link #handingOver()}, then {@link #releaseAll} ends what is left. Failures are collected, every group stops.
     */
    void shutdown(long now) {
        RuntimeException failure = null;
        for (GroupRuntime group : groups) {
            try {
                group.shutdown(now);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The longest handover bound of any group (0 without groups), plus a little for the last advert's way. */
    long handoverBoundNanos() {
        long bound = 0;
        for (GroupRuntime group : groups) {
            bound = Math.max(bound, group.router().handoverBoundNanos());
        }
        return bound + 50_000_000L;
    }

    /** The end of a stop: a handover still waiting for its taker releases now. */
    void releaseAll(long now) {
        for (GroupRuntime group : groups) {
            group.releaseNow(now);
        }
    }

    List<GroupStatus> status(long now) {
        List<GroupStatus> statuses = new ArrayList<>();
        for (GroupRuntime group : groups) {
            statuses.add(group.status(now));
        }
        return statuses;
    }

    List<GroupRuntime> groups() {
        return groups;
    }

    DropCounters drops() {
        return drops;
    }

    private Map<String, GroupDecision> decide() {
        List<GroupRules> rules = new ArrayList<>();
        for (GroupRuntime group : groups) {
            rules.add(group.rules());
        }
        return NodePolicy.decide(rules, facts, syncGroups);
    }

    private void applyDecisions(long now) {
        Map<String, GroupDecision> decisions = decide();
        for (GroupRuntime group : groups) {
            group.apply(now, decisions.get(group.name()));
        }
    }
}
