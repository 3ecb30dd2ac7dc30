package org.omnileads.omlha.agent.policy;

import java.util.Optional;
import org.omnileads.omlha.probes.ProbeResult;
import org.omnileads.omlha.probes.RedisFacts;
import org.omnileads.omlha.probes.SentinelVotes;

/**
 * How a Redis VIP follows the master Sentinel elected (issue 14): Sentinel decides, VRRP only carries the decision.
 * Pure. A node may hold the VIP only when both hold: its local Redis answers ROLE master, and more than half of the
 * <em>configured</em> Sentinels name this node as the master (one that cannot be reached counts against). Then it is
 * the rightful holder and takes the VIP as soon as no live master is heard. Otherwise the group is in FAULT and a
 * master releases at once: a Redis VIP must never lead writes to a node that is not the elected master.
 *
 * <p>So a stale master (its Redis still says master, a majority of Sentinels name another node: it came back after a
 * failover, before Sentinel turned it into a replica) never takes the VIP, and a master cut off from the Sentinel
 * majority gives it up as soon as a check cannot reach the majority (within the probe's timeout).
 */
public final class RedisFollowPolicy {
    private RedisFollowPolicy() {}

    /**
     * The group's priority and, when it may not hold the VIP, why; {@code staleMaster}: the local Redis says master
     * while a majority of the Sentinels name another node; {@code rightful}: the elected master is here.
     */
    public record Outcome(int priority, String faultReason, boolean staleMaster, boolean rightful) {
        static Outcome fault(int priority, String why, boolean staleMaster) {
            return new Outcome(priority, why, staleMaster, false);
        }
    }

    /** @param result the probe's latest result, null before its first check */
    public static Outcome evaluate(int basePriority, String probe, ProbeResult result) {
        if (result == null) {
            return Outcome.fault(basePriority, "redis " + probe + ": no result yet", false);
        }
        if (!result.up()) {
            return Outcome.fault(basePriority, "redis " + probe + " unreachable: " + result.detail(), false);
        }
        Optional<RedisFacts> seen = result.facts(RedisFacts.class);
        if (seen.isEmpty() || seen.get().role() == null) {
            return Outcome.fault(basePriority, "redis " + probe + ": its role is unknown", false);
        }
        RedisFacts facts = seen.get();
        boolean master = facts.role() == RedisFacts.Role.MASTER;
        if (facts.electedBySentinels()) {
            return master ? new Outcome(basePriority, null, false, true)
                    : Outcome.fault(basePriority, "redis is a " + facts.role().text() + ", not the master (" + sentinels(facts)
                            + "; Sentinel has not finished promoting it)", false);
        }
        if (!master) {
            return Outcome.fault(basePriority, "redis is a " + facts.role().text()
                    + (facts.masterAddr() == null ? "" : " of " + facts.masterAddr()) + ", not the master", false);
        }
        int needed = SentinelVotes.majorityOf(facts.sentinelsConfigured());
        if (facts.sentinelMaster() != null && !facts.sentinelMasterIsThisNode() && facts.sentinelsAgreeing() >= needed) {
            return Outcome.fault(basePriority, "stale master: " + sentinels(facts), true);
        }
        return Outcome.fault(basePriority, "redis is master but not elected: " + sentinels(facts) + ", a majority is "
                + needed + " of " + facts.sentinelsConfigured() + " configured (" + facts.sentinelsAnswered() + " answered)", false);
    }

    private static String sentinels(RedisFacts facts) {
        if (facts.sentinelMaster() == null) {
            return "no sentinel names a master (" + facts.sentinelsAnswered() + " of " + facts.sentinelsConfigured() + " answered)";
        }
        return facts.sentinelsAgreeing() + " of " + facts.sentinelsConfigured() + " sentinels name " + facts.sentinelMaster()
                + (facts.sentinelMasterIsThisNode() ? " (this node)" : "");
    }
}
