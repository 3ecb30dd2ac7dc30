package org.omnileads.omlha.agent.policy;

import org.omnileads.omlha.agent.status.GroupStatus;

/**
 * The policy's outcome for one group: the effective priority to run the election with, and why the group may not
 * take part (FAULT), or null when it may. {@code releaseAtOnce}: a master in this FAULT releases its VIPs at once
 * instead of handing them over, because nobody can reach it on them (its own interface is down) or nobody may (a
 * read-write VIP whose database is no longer the primary: it must never be on two nodes). {@code rightful}: the
 * node's database makes it the one that should hold the group (a primary that is not stale, for a read-write group),
 * so it takes the group as soon as no live master is heard, without the Master_Down_Interval. {@code maintenance}:
 * the operator's mark, or null; a group in maintenance neither takes nor preempts. {@code database} is what a
 * PostgreSQL-following group saw, {@code redis} what a Redis-following group saw, for status.
 */
public record GroupDecision(int priority, String faultReason, boolean releaseAtOnce, boolean rightful,
        MaintenanceMark maintenance, GroupStatus.DatabaseStatus database, GroupStatus.RedisStatus redis) {

    public GroupDecision(int priority, String faultReason, GroupStatus.DatabaseStatus database) {
        this(priority, faultReason, false, false, null, database, null);
    }

    public boolean fault() {
        return faultReason != null;
    }

    public boolean inMaintenance() {
        return maintenance != null;
    }

    /** A FAULT that another member of a sync group causes: handed over, whatever the cause's own link did. */
    GroupDecision withFault(String reason) {
        return new GroupDecision(priority, reason, false, false, maintenance, database, redis);
    }

    /** The reason of the transition out of FAULT, told by what held the group there. */
    public static String recoveredFrom(String previousFault) {
        if (previousFault.startsWith("interface ") && previousFault.endsWith(" down")) {
            return previousFault.substring(0, previousFault.length() - " down".length()) + " up";
        }
        if (previousFault.startsWith("sync group ")) {
            return "sync group recovered (" + previousFault + " before)";
        }
        if (previousFault.startsWith("probe ")) {
            return "tracked probes up again (" + previousFault + " before)";
        }
        return "no longer in FAULT (" + previousFault + " before)";
    }
}
