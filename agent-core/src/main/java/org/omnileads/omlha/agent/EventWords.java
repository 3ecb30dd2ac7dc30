package org.omnileads.omlha.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The words of {@code omlha-agent event}: repmgr's event types (its {@code event_notification_command} passes {@code %e})
 * are known; anything else is logged as ignored. Whatever the words, an event makes the agent look again at once (see
 * {@code PromotionWatch}): the words only say why, in the log.
 */
record EventWords(List<String> known, List<String> unknown) {
    /** repmgr 5.3's event types that change or announce a database's role (repmgr docs, "Event notifications"). */
    static final Set<String> REPMGR_EVENTS = Set.of("standby_promote", "standby_switchover", "standby_follow", "node_rejoin",
            "standby_register", "standby_unregister", "primary_register", "primary_unregister", "standby_clone",
            "standby_disconnect_manual", "repmgrd_start", "repmgrd_shutdown", "repmgrd_reload", "repmgrd_failover_promote",
            "repmgrd_failover_follow", "repmgrd_failover_aborted", "repmgrd_promote_error", "repmgrd_standby_reconnect",
            "repmgrd_upstream_disconnect", "repmgrd_upstream_reconnect", "repmgrd_local_disconnect", "repmgrd_local_reconnect",
            "child_node_disconnect", "child_node_reconnect", "child_node_new_connect", "child_nodes_disconnect_command",
            "election_rerun");

    static EventWords parse(String line) {
        List<String> known = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String word : line.strip().split("\\s+")) {
            if (!word.isEmpty()) {
                (REPMGR_EVENTS.contains(word) ? known : unknown).add(word);
            }
        }
        return new EventWords(List.copyOf(known), List.copyOf(unknown));
    }
}
