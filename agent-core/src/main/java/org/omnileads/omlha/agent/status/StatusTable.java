package org.omnileads.omlha.agent.status;

import java.util.List;

/** The status for people: one line per group, its peers and its last transitions underneath. */
public final class StatusTable {
    private StatusTable() {}

    public static String format(AgentStatus status) {
        StringBuilder out = new StringBuilder();
        out.append("node ").append(status.node());
        if (status.tenant() != null && !status.tenant().isEmpty()) {
            out.append(" (tenant ").append(status.tenant()).append(')');
        }
        out.append(", pid ").append(status.pid()).append(", up ").append(status.uptimeMs() / 1000).append(" s\n\n");
        out.append(String.format("%-14s %4s %-10s %-7s %8s %-28s %-8s %s%n",
                "GROUP", "VRID", "INTERFACE", "STATE", "PRIO", "VIPS", "ATTACHED", "MASTER"));
        for (GroupStatus g : status.groups()) {
            String prio = g.effectivePriority() == g.priority() ? String.valueOf(g.priority())
                    : g.effectivePriority() + "/" + g.priority();
            out.append(String.format("%-14s %4d %-10s %-7s %8s %-28s %-8s %s%n",
                    g.name(), g.vrid(), g.interfaceName(), g.state(), prio, String.join(",", g.vips()),
                    g.vipsAttached() ? "yes" : "no", g.master() == null ? "-" : g.master() + " (prio " + g.masterPriority() + ")"));
            if (g.maintenance()) {
                out.append("    in maintenance: takes no part in the election here ('omlha-agent maintenance off' ends it)\n");
            }
            if (g.handingOver()) {
                out.append("    handing over: keeps its VIPs until the new master is heard\n");
            }
            GroupStatus.DatabaseStatus db = g.database();
            if (db != null) {
                out.append(String.format("    database (%s, follows the %s): %s, timeline %s%s%s%n", db.probe(), db.follows(),
                        db.role() == null ? "unknown" : db.role(), db.timeline() == null ? "?" : db.timeline(),
                        db.lagBytes() == null ? "" : ", lag " + db.lagBytes() + " bytes",
                        db.stalePrimary() ? ", STALE PRIMARY" : ""));
                if (db.detail() != null) {
                    out.append("      ").append(db.detail()).append('\n');
                }
            }
            GroupStatus.RedisStatus redis = g.redis();
            if (redis != null) {
                out.append(String.format("    redis (%s, follows the master Sentinel elected): %s; %s%s%n", redis.probe(),
                        redis.role() == null ? "unknown" : redis.role(), sentinelView(redis), redis.staleMaster() ? ", STALE MASTER" : ""));
                if (redis.detail() != null) {
                    out.append("      ").append(redis.detail()).append('\n');
                }
            }
            for (GroupStatus.PeerStatus p : g.peers()) {
                out.append(String.format("    peer %-39s prio %3d, last advert %d ms ago%n", p.address(), p.priority(), p.lastAdvertMsAgo()));
            }
            List<GroupStatus.TransitionRecord> t = g.transitions();
            for (int i = Math.max(0, t.size() - 3); i < t.size(); i++) {
                GroupStatus.TransitionRecord r = t.get(i);
                out.append(String.format("    %s %s -> %s: %s%n", r.at(), r.from(), r.to(), r.reason()));
            }
        }
        if (!status.probes().isEmpty()) {
            out.append('\n').append(String.format("%-14s %-12s %-8s %9s  %s%n", "PROBE", "TYPE", "STATE", "LATENCY", "DETAIL"));
            for (AgentStatus.ProbeStatus p : status.probes()) {
                out.append(String.format("%-14s %-12s %-8s %9s  %s%n", p.name(), p.type(), !p.known() ? "unknown" : p.up() ? "up" : "DOWN",
                        p.latencyMs() == null ? "-" : String.format("%.1f ms", p.latencyMs()), p.detail() == null ? "" : p.detail()));
                if (p.lastError() != null && p.up()) {
                    out.append(String.format("    last failure %s: %s%n", p.lastErrorAt(), p.lastError()));
                }
                if (p.watchCloselyMs() != null) {
                    out.append(String.format("    watched closely for a promotion, %d s left%n", (p.watchCloselyMs() + 999) / 1000));
                }
            }
        }
        AgentStatus.LoopStatus loop = status.loop();
        if (loop != null) {
            out.append("\nVRRP loop: ").append(loop.scheduling());
            if (loop.realtimePriority() > 0) {
                out.append(" priority ").append(loop.realtimePriority());
            }
            out.append('\n');
            if (loop.schedulingProblem() != null) {
                // A sentence with the cause and its remedy (RealtimeRefusal): a line of its own, like the groups' details.
                out.append("    ").append(loop.schedulingProblem()).append('\n');
            }
        }
        if (status.packetsDropped() != null && !status.packetsDropped().isEmpty()) {
            out.append("\ndropped packets: ").append(status.packetsDropped()).append('\n');
        }
        return out.toString();
    }

    /** Whom the Sentinels name and how many of the configured ones agree, against the majority that counts. */
    private static String sentinelView(GroupStatus.RedisStatus redis) {
        String count = redis.sentinelsAgreeing() + " of " + redis.sentinelsConfigured() + " agree, majority "
                + (redis.sentinelsConfigured() / 2 + 1) + ", " + redis.sentinelsAnswered() + " answered";
        return redis.sentinelMaster() == null ? "sentinels name no master: " + count
                : "sentinels name " + redis.sentinelMaster() + (redis.sentinelMasterIsThisNode() ? " (this node)" : "") + ": " + count;
    }
}
