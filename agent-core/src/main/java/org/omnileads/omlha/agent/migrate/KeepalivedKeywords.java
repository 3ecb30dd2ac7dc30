package org.omnileads.omlha.agent.migrate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The keywords keepalived 2.2 knows in each block the importer reads (from keepalived.conf(5) of 2.2.7, deprecated
 * synonyms included), so that a word keepalived does not know is told apart from a setting the agent does not carry
 * over, and a misspelling gets a suggestion: {@code reise} is within one edit of {@code rise}.
 *
 * <p>keepalived itself logs "Unknown keyword" and ignores the line (and the block it opens), so the cluster that
 * runs today runs without it. The importer does the same, except for each block's {@code applyWhenMisspelt}:
 * there the setting meant can only make a node slower to claim a VIP back, never claim it sooner or hold it longer,
 * so reading it as meant is safe. Any other suggestion (a misspelt {@code priority}, {@code fall}, {@code advert_int}
 * ...) would change who holds a VIP or when, compared with the keepalived running now: it is only reported.
 */
final class KeepalivedKeywords {

    /** A block of keepalived.conf, with the keywords keepalived knows in it. */
    enum Block {
        TOP(Set.of("global_defs", "include", "includer", "includem", "includew", "includeb", "includea",
                "net_namespace", "net_namespace_ipvs", "namespace_with_ipsets", "instance", "use_pid_dir",
                "linkbeat_use_polling", "child_wait_time", "linkbeat_interfaces", "interface_up_down_delays",
                "track_group", "static_ipaddress", "static_routes", "static_rules", "track_file", "vrrp_track_file",
                "track_process", "vrrp_track_process", "bfd_instance", "vrrp_script", "vrrp_sync_group", "garp_group",
                "vrrp_instance", "virtual_server_group", "virtual_server"),
                Map.of()),
        GLOBAL_DEFS(Set.of("bfd_cpu_affinity", "bfd_no_swap", "bfd_priority", "bfd_process_name", "bfd_rlimit_rttime",
                "bfd_rt_priority", "checker_cpu_affinity", "checker_log_all_failures", "checker_no_swap",
                "checker_priority", "checker_process_name", "checker_rlimit_rttime", "checker_rt_priority",
                "config_save_dir", "data_use_instance", "dbus_service_name", "default_interface", "disable_local_igmp",
                "dynamic_interfaces", "enable_dbus", "enable_script_security", "enable_snmp_checker", "enable_snmp_rfc",
                "enable_snmp_rfcv2", "enable_snmp_rfcv3", "enable_snmp_vrrp", "enable_traps",
                "fifo_write_vrrp_states_on_reload", "include_check", "log_unknown_vrids", "lvs_flush",
                "lvs_flush_on_stop", "lvs_id", "lvs_netlink_cmd_rcv_bufs", "lvs_netlink_cmd_rcv_bufs_force",
                "lvs_netlink_monitor_rcv_bufs", "lvs_netlink_monitor_rcv_bufs_force", "lvs_notify_fifo",
                "lvs_notify_fifo_script", "lvs_sync_daemon", "lvs_timeouts", "max_auto_priority",
                "min_auto_priority_delay", "nftables", "nftables_counters", "nftables_ifindex", "nftables_ipvs",
                "nftables_ipvs_priority", "nftables_ipvs_start_fwmark", "nftables_priority", "no_checker_emails",
                "no_email_faults", "notification_email", "notification_email_from", "notify_fifo", "notify_fifo_script",
                "process_monitor_rcv_bufs", "process_monitor_rcv_bufs_force", "process_name", "process_names",
                "random_seed", "reload_check_config", "reload_file", "reload_repeat", "reload_time_file", "router_id",
                "rs_init_notifies", "script_user", "shutdown_script", "shutdown_script_timeout", "smtp_alert",
                "smtp_alert_checker", "smtp_alert_vrrp", "smtp_connect_timeout", "smtp_helo_name", "smtp_server",
                "snmp_socket", "startup_script", "startup_script_timeout", "tmp_config_directory", "umask",
                "vmac_addr_prefix", "vmac_prefix", "vrrp_check_unicast_src", "vrrp_cpu_affinity",
                "vrrp_down_timer_adverts", "vrrp_garp_extra_if", "vrrp_garp_interval", "vrrp_garp_lower_prio_delay",
                "vrrp_garp_lower_prio_repeat", "vrrp_garp_master_delay", "vrrp_garp_master_refresh",
                "vrrp_garp_master_refresh_repeat", "vrrp_garp_master_repeat", "vrrp_gna_interval",
                "vrrp_higher_prio_send_advert", "vrrp_ipsets", "vrrp_iptables", "vrrp_lower_prio_no_advert",
                "vrrp_mcast_group4", "vrrp_mcast_group6", "vrrp_min_garp", "vrrp_netlink_cmd_rcv_bufs",
                "vrrp_netlink_cmd_rcv_bufs_force", "vrrp_netlink_monitor_rcv_bufs",
                "vrrp_netlink_monitor_rcv_bufs_force", "vrrp_no_swap", "vrrp_notify_fifo", "vrrp_notify_fifo_script",
                "vrrp_notify_priority_changes", "vrrp_priority", "vrrp_process_name", "vrrp_rlimit_rttime",
                "vrrp_rt_priority", "vrrp_rx_bufs_multiplier", "vrrp_rx_bufs_policy", "vrrp_skip_check_adv_addr",
                "vrrp_startup_delay", "vrrp_strict", "vrrp_version"),
                Map.of()),
        VRRP_SCRIPT(Set.of("script", "interval", "timeout", "weight", "rise", "fall", "user", "init_fail"),
                Map.of("rise", "a larger rise only delays a failed check's return to passing (the first result still "
                        + "counts at once): a node may come back later, never claim a VIP sooner")),
        VRRP_SYNC_GROUP(Set.of("group", "track_interface", "track_script", "track_file", "track_bfd", "track_process",
                "notify_backup", "notify_master", "notify_fault", "notify_stop", "notify_deleted", "notify",
                "notify_priority_changes", "smtp_alert", "global_tracking", "sync_group_tracking_weight"),
                Map.of()),
        VRRP_INSTANCE(Set.of("accept", "advert_int", "authentication", "check_unicast_src", "debug",
                "dont_track_primary", "down_timer_adverts", "garp_extra_if", "garp_lower_prio_delay",
                "garp_lower_prio_repeat", "garp_master_delay", "garp_master_refresh", "garp_master_refresh_repeat",
                "garp_master_repeat", "garp_interval", "gna_interval", "higher_prio_send_advert", "interface",
                "kernel_rx_buf_size", "linkbeat_use_polling", "lower_prio_no_advert", "lvs_sync_daemon_interface",
                "mcast_dst_ip", "mcast_src_ip", "native_ipv6", "no_accept", "nopreempt", "notify", "notify_backup",
                "notify_deleted", "notify_fault", "notify_master", "notify_master_rx_lower_pri",
                "notify_priority_changes", "notify_stop", "old_unicast_checksum", "preempt", "preempt_delay",
                "priority", "promote_secondaries", "skip_check_adv_addr", "smtp_alert", "state", "strict_mode",
                "track_bfd", "track_file", "track_interface", "track_process", "track_script", "track_src_ip",
                "unicast_fault_no_peer", "unicast_peer", "unicast_src_ip", "unicast_ttl", "use_ipvlan", "use_vmac",
                "use_vmac_addr", "version", "virtual_ipaddress", "virtual_ipaddress_excluded", "virtual_router_id",
                "virtual_routes", "virtual_rules", "vmac_xmit_base", "vrf"),
                Map.of()),
        AUTHENTICATION(Set.of("auth_type", "auth_pass"), Map.of());

        final Set<String> known;
        /** The keywords read as meant when misspelt, each with why that is safe. */
        final Map<String, String> applyWhenMisspelt;

        Block(Set<String> known, Map<String, String> applyWhenMisspelt) {
            this.known = known;
            this.applyWhenMisspelt = applyWhenMisspelt;
        }
    }

    private KeepalivedKeywords() {
    }

    static boolean isKnown(Block block, String word) {
        return block.known.contains(word);
    }

    /**
     * The keywords of {@code block} nearest to an unknown {@code word}, if near enough to be a misspelling: one edit
     * for words of up to four letters, two for longer ones (an edit: a letter added, removed, changed, or two
     * neighbours swapped). Several when they are equally near; none for a known word.
     */
    static List<String> suggestions(Block block, String word) {
        List<String> nearest = new ArrayList<>();
        if (isKnown(block, word)) {
            return nearest;
        }
        int best = word.length() <= 4 ? 1 : 2;
        for (String keyword : block.known.stream().sorted().toList()) {
            int distance = editDistance(word, keyword);
            if (distance < best) {
                best = distance;
                nearest.clear();
            }
            if (distance == best) {
                nearest.add(keyword);
            }
        }
        return nearest;
    }

    /** The keyword to read {@code word} as, when it is the only suggestion and {@code block} applies it. */
    static Optional<String> safeCorrection(Block block, String word) {
        List<String> nearest = suggestions(block, word);
        if (nearest.size() == 1 && block.applyWhenMisspelt.containsKey(nearest.get(0))) {
            return Optional.of(nearest.get(0));
        }
        return Optional.empty();
    }

    /** Why reading a misspelling as {@code keyword} is safe (a keyword {@link #safeCorrection} returned). */
    static String whySafe(Block block, String keyword) {
        return block.applyWhenMisspelt.get(keyword);
    }

    /** Optimal string alignment distance: Levenshtein's edits plus the swap of two neighbouring letters. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int change = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + change);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
