package org.omnileads.omlha.agent.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.agent.config.ProbeConfig;

/**
 * What a reload (SIGHUP) changes, decided from the running and the new configuration alone. Pure.
 * <ul>
 *   <li>A group whose configuration is equal is kept: same state, same VIPs, no transition.
 *   <li>A changed group restarts (a MASTER resigns with priority 0 first), a removed one releases its VIPs, a new
 *       one starts as BACKUP.
 *   <li>Probes likewise, by name and configuration.
 *   <li>Settings that only a restart applies (node, tenant, control socket, metrics, real-time priority,
 *       notifications) are listed, not applied.
 * </ul>
 * Lists are in file order: the running file's for kept, restarted and removed entries, the new file's for added ones.
 */
public record ReloadPlan(Changes groups, Changes probes, List<String> restartOnly) {

    /**
     * One kind of entry, by name. {@code stopping} holds the restarted and the removed entries together, in the running
     * file's order: what must stop before the new file's entries start.
     */
    public record Changes(List<String> kept, List<String> restarted, List<String> added, List<String> removed,
            List<String> stopping) {
        public Changes {
            kept = List.copyOf(kept);
            restarted = List.copyOf(restarted);
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            stopping = List.copyOf(stopping);
        }

        /** Whether anything is not kept. */
        public boolean any() {
            return !restarted.isEmpty() || !added.isEmpty() || !removed.isEmpty();
        }

        /** Entries to build from the new file: changed and new ones. */
        public List<String> starting() {
            List<String> starting = new ArrayList<>(restarted);
            starting.addAll(added);
            return starting;
        }
    }

    public ReloadPlan {
        restartOnly = List.copyOf(restartOnly);
    }

    public static ReloadPlan between(AgentConfig running, AgentConfig next) {
        return new ReloadPlan(changes(running.groups(), next.groups(), GroupConfig::name),
                changes(running.probes(), next.probes(), ProbeConfig::name), restartOnlyChanges(running, next));
    }

    /** For the log: {@code "restarted b, added c"}, or {@code "no group changed"}. */
    public String groupSummary() {
        List<String> done = new ArrayList<>();
        // In the running file's order, removals and restarts as they come, then additions.
        for (String name : groups.stopping()) {
            done.add((groups.removed().contains(name) ? "removed " : "restarted ") + name);
        }
        groups.added().forEach(name -> done.add("added " + name));
        return done.isEmpty() ? "no group changed" : String.join(", ", done);
    }

    private static <T> Changes changes(List<T> running, List<T> next, Function<T, String> name) {
        Map<String, T> before = byName(running, name);
        Map<String, T> after = byName(next, name);
        List<String> kept = new ArrayList<>();
        List<String> restarted = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> added = new ArrayList<>();
        List<String> stopping = new ArrayList<>();
        before.forEach((key, value) -> {
            T wanted = after.get(key);
            if (wanted != null && wanted.equals(value)) {
                kept.add(key);
                return;
            }
            (wanted == null ? removed : restarted).add(key);
            stopping.add(key);
        });
        after.keySet().stream().filter(key -> !before.containsKey(key)).forEach(added::add);
        return new Changes(kept, restarted, added, removed, stopping);
    }

    private static <T> Map<String, T> byName(List<T> entries, Function<T, String> name) {
        Map<String, T> map = new LinkedHashMap<>();
        entries.forEach(entry -> map.put(name.apply(entry), entry));
        return map;
    }

    private static List<String> restartOnlyChanges(AgentConfig a, AgentConfig b) {
        List<String> changed = new ArrayList<>();
        if (!a.node().equals(b.node())) {
            changed.add("node");
        }
        if (!a.tenant().equals(b.tenant())) {
            changed.add("tenant");
        }
        if (!a.controlSocket().equals(b.controlSocket())) {
            changed.add("control.socket");
        }
        if (!a.metricsListen().equals(b.metricsListen())) {
            changed.add("metrics.listen");
        }
        if (a.realtimePriority() != b.realtimePriority()) {
            changed.add("realtime-priority");
        }
        if (!a.notifications().equals(b.notifications())) {
            changed.add("notify");
        }
        return changed;
    }
}
