package org.omnileads.omlha.agent.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.omnileads.omlha.agent.config.Follow;
import org.omnileads.omlha.agent.config.Track;
import org.omnileads.omlha.agent.status.GroupStatus;
import org.omnileads.omlha.probes.PostgresFacts;
import org.omnileads.omlha.probes.ProbeResult;
import org.omnileads.omlha.probes.RedisFacts;

/**
 * The one place where this node decides how each of its groups takes part in the election. Pure: from the groups'
 * rules, the node's facts and the sync groups to one {@link GroupDecision} per group. In order:
 * <ol>
 *   <li>a followed database role sets the base priority, or FAULT ({@link FollowPolicy}; for the Redis master
 *       {@link RedisFollowPolicy}), and whether this node is the group's rightful holder (takes it without waiting
 *       when no live master is heard);
 *   <li>the tracked probes weigh on it, a weight-0 probe that is down is FAULT ({@link TrackPolicy});
 *   <li>a link that is down is FAULT, before any other reason, and releases at once (no handover); so does a
 *       read-write group whose database is no longer the primary;
 *   <li>the operator's maintenance mark is passed on: such a group neither takes nor preempts;
 *   <li>a member of a sync group in FAULT of its own puts the other members in FAULT (keepalived's
 *       vrrp_sync_group), so the peer node takes the whole sync group together.
 * </ol>
 * The VRRP loop applies the decisions to the routers ({@code GroupRuntime.apply}); FAULT itself is stored only in
 * the router.
 */
public final class NodePolicy {
    private NodePolicy() {}

    /** A decision for every group, in the order given. */
    public static Map<String, GroupDecision> decide(List<GroupRules> groups, NodeFacts facts, Map<String, List<String>> syncGroups) {
        Map<String, GroupDecision> own = new LinkedHashMap<>();
        for (GroupRules group : groups) {
            own.put(group.name(), decide(group, facts));
        }
        return applySyncGroups(own, syncGroups);
    }

    /** One group on its own, sync groups aside. */
    public static GroupDecision decide(GroupRules group, NodeFacts facts) {
        int base = group.basePriority();
        String fault = null;
        boolean releaseAtOnce = false;
        boolean rightful = false;
        GroupStatus.DatabaseStatus database = null;
        GroupStatus.RedisStatus redis = null;
        if (group.follow().filter(f -> f.role() == Follow.Role.MASTER).isPresent()) {
            Follow follow = group.follow().get();
            ProbeResult result = facts.redis(follow.probe());
            RedisFollowPolicy.Outcome outcome = RedisFollowPolicy.evaluate(base, follow.probe(), result);
            redis = redisStatus(follow, result, outcome);
            fault = outcome.faultReason();
            releaseAtOnce = true; // a Redis VIP is never on two nodes, nor on one that is not the elected master
            rightful = outcome.rightful();
        } else if (group.follow().isPresent()) {
            Follow follow = group.follow().get();
            List<FollowPolicy.Database> peers = facts.peersOf(follow.probe()).stream()
                    .map(id -> FollowPolicy.database(id, facts.databases())).toList();
            FollowPolicy.Database self = FollowPolicy.database(DatabaseId.local(follow.probe()), facts.databases());
            FollowPolicy.Outcome outcome = FollowPolicy.evaluate(follow.role(), base, self, peers,
                    facts.newestPeerPrimaryTimeline(follow.probe()));
            database = databaseStatus(follow, self, outcome);
            base = outcome.priority();
            fault = outcome.faultReason();
            releaseAtOnce = outcome.releaseAtOnce();
            rightful = outcome.rightful();
        }
        List<Track> active = group.tracks().stream().filter(t -> facts.isActive(t.probe())).toList();
        TrackPolicy.Outcome tracked = TrackPolicy.evaluate(base, active, facts.probeUp());
        if (fault == null) {
            fault = tracked.faultReason();
        }
        boolean linkDown = !facts.linkUp(group.ifIndex());
        if (linkDown) {
            fault = "interface " + group.interfaceName() + " down";
        }
        return new GroupDecision(tracked.priority(), fault, linkDown || fault != null && releaseAtOnce,
                fault == null && rightful, facts.maintenance(group.name()), database, redis);
    }

    /**
     * Members of a sync group that are not in FAULT of their own go to FAULT while another member is, naming the
     * first such member (in the sync group's order) as the cause.
     */
    static Map<String, GroupDecision> applySyncGroups(Map<String, GroupDecision> own, Map<String, List<String>> syncGroups) {
        Map<String, GroupDecision> decided = new LinkedHashMap<>(own);
        for (Map.Entry<String, List<String>> sync : syncGroups.entrySet()) {
            String cause = null;
            for (String member : sync.getValue()) {
                GroupDecision decision = own.get(member);
                if (decision != null && decision.fault()) {
                    cause = "sync group " + sync.getKey() + ": " + member + " in FAULT (" + decision.faultReason() + ")";
                    break;
                }
            }
            if (cause == null) {
                continue;
            }
            for (String member : sync.getValue()) {
                GroupDecision decision = decided.get(member);
                if (decision != null && !decision.fault()) {
                    decided.put(member, decision.withFault(cause));
                }
            }
        }
        return decided;
    }

    private static GroupStatus.RedisStatus redisStatus(Follow follow, ProbeResult result, RedisFollowPolicy.Outcome outcome) {
        Optional<RedisFacts> facts = result == null ? Optional.empty() : result.facts(RedisFacts.class);
        return new GroupStatus.RedisStatus(follow.probe(), facts.map(f -> f.role() == null ? null : f.role().text()).orElse(null),
                facts.map(RedisFacts::sentinelMaster).orElse(null), facts.map(RedisFacts::sentinelMasterIsThisNode).orElse(false),
                facts.map(RedisFacts::sentinelsAgreeing).orElse(0), facts.map(RedisFacts::sentinelsAnswered).orElse(0),
                facts.map(RedisFacts::sentinelsConfigured).orElse(0), facts.map(RedisFacts::electedBySentinels).orElse(false),
                outcome.staleMaster(), outcome.faultReason() != null ? outcome.faultReason() : result.detail());
    }

    private static GroupStatus.DatabaseStatus databaseStatus(Follow follow, FollowPolicy.Database self, FollowPolicy.Outcome outcome) {
        Optional<PostgresFacts> facts = self.result() == null ? Optional.empty() : self.result().facts(PostgresFacts.class);
        return new GroupStatus.DatabaseStatus(follow.probe(), follow.role().name().toLowerCase(Locale.ROOT),
                facts.map(f -> f.role().text()).orElse(null), facts.map(f -> Long.toString(f.timeline())).orElse(null),
                facts.map(f -> f.lagBytes() == null ? null : String.valueOf(f.lagBytes())).orElse(null), outcome.stalePrimary(),
                outcome.faultReason() != null ? outcome.faultReason() : self.result().detail());
    }
}
