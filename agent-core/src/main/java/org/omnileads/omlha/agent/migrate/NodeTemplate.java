package org.omnileads.omlha.agent.migrate;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The agent configuration of one OMniLeads HA node, written from the installer variables of the OMniLeads HA
 * document: {@code oml_ha_rol} (main | backup), {@code oml_ha_vip}, {@code oml_ha_vip_nic}, {@code oml_ha_tenant},
 * {@code oml_ha_email}, for PostgreSQL {@code oml_ha_vip_main} (read-write) and {@code oml_ha_vip_backup}
 * (read-only), and for Redis {@code oml_master_ip} and {@code oml_master_port} (the first master Sentinel monitors) plus
 * {@code oml_ha_sentinels}, which the document does not have: the Sentinels (on its three replica nodes) whose majority
 * decides where the VIP goes. The main node has priority 150, the backup 100; both preempt, so the main takes the VIP back when it
 * returns (the document's takeover).
 */
public final class NodeTemplate {

    /** The cluster a node belongs to; each has its own VRIDs by default. */
    public enum Role {
        ASTERISK, HAPROXY, POSTGRESQL, REDIS;

        public static Role parse(String text) throws InitException {
            for (Role role : values()) {
                if (role.name().equalsIgnoreCase(text)) {
                    return role;
                }
            }
            throw new InitException("--role", "must be asterisk, haproxy, postgresql or redis, got " + Hocon.quote(text));
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String ROL = "oml_ha_rol";
    public static final String VIP = "oml_ha_vip";
    public static final String NIC = "oml_ha_vip_nic";
    public static final String TENANT = "oml_ha_tenant";
    public static final String EMAIL = "oml_ha_email";
    public static final String VIP_MAIN = "oml_ha_vip_main";
    public static final String VIP_BACKUP = "oml_ha_vip_backup";
    public static final String MASTER_IP = "oml_master_ip";
    public static final String MASTER_PORT = "oml_master_port";
    /** Not the document's: the Sentinels, comma-separated host or host:port (port 26379 when left out). */
    public static final String SENTINELS = "oml_ha_sentinels";

    static final int ASTERISK_VRID = 51;
    static final int HAPROXY_VRID = 52;
    static final int PGSQL_RW_VRID = 61;
    static final int PGSQL_RO_VRID = 62;
    static final int REDIS_VRID = 71;
    static final int SENTINEL_PORT = 26379;
    /** Sentinel's usual master name (its sample sentinel.conf); the installer's sentinel.conf says which it is. */
    static final String SENTINEL_MASTER = "mymaster";
    /** HAProxy's usual stats port; the probe wants {@code monitor-uri /health} on a frontend bound there. */
    static final String HAPROXY_HEALTH_URL = "http://127.0.0.1:8404/health";

    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    private static final Pattern EMAIL_ADDRESS = Pattern.compile("[^@\\s,]+@[^@\\s,]+\\.[^@\\s,]+");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})");

    private NodeTemplate() {
    }

    /**
     * When {@code --role} is not given: a node with the PostgreSQL VIP variables is a PostgreSQL node, one with
     * {@code oml_master_ip} (or {@code oml_ha_sentinels}) a Redis node; Asterisk and
     * HAProxy nodes have the same variables and must say which they are.
     */
    public static Role inferRole(Map<String, String> env) throws InitException {
        if (present(env, VIP_MAIN) || present(env, VIP_BACKUP)) {
            return Role.POSTGRESQL;
        }
        if (present(env, MASTER_IP) || present(env, SENTINELS)) {
            return Role.REDIS;
        }
        throw new InitException("--role", "required (asterisk or haproxy): " + VIP + " alone does not say which cluster "
                + "this node is in");
    }

    /** The commented HOCON for this node; {@code hostname} is used for the notification sender. */
    public static String render(Role role, Map<String, String> env, String hostname) throws InitException {
        boolean main = switch (required(env, ROL).toLowerCase(Locale.ROOT)) {
            case "main" -> true;
            case "backup" -> false;
            default -> throw new InitException(ROL, "must be main or backup, got " + Hocon.quote(env.get(ROL)));
        };
        String nic = interfaceName(required(env, NIC));
        Optional<String> tenant = optional(env, TENANT);
        Optional<String> email = optional(env, EMAIL);
        if (email.isPresent() && !EMAIL_ADDRESS.matcher(email.get()).matches()) {
            throw new InitException(EMAIL, "expected an e-mail address like notifications@domain.com, got "
                    + Hocon.quote(email.get()));
        }
        String host = HOST.matcher(hostname).matches() ? hostname : "localhost";
        int priority = main ? 150 : 100;

        StringBuilder out = new StringBuilder();
        out.append("# omlha-agent: ").append(role.label()).append(" node, ").append(main ? "main" : "backup")
                .append(" (written by `omlha-agent init --from-env` from the OMniLeads installer variables).\n")
                .append("# Check it with: omlha-agent check-config -c /etc/omlha/agent.conf\n")
                .append("omlha {\n")
                .append("  # node = \"...\"                   # shown in status and notifications; default: the hostname\n");
        tenant.ifPresent(t -> out.append("  tenant = ").append(Hocon.quote(t)).append("   # ").append(TENANT).append('\n'));
        out.append("  interface = ").append(Hocon.quote(nic)).append("   # ").append(NIC).append(": the NIC of the VIPs\n")
                .append("  # VRRPv3 between agents; set version = 2 while a keepalived node is still in the group.\n")
                .append("  vrrp { version = 3, advert-interval = 1s }\n\n")
                .append("  # The VRIDs are this role's defaults: every VRRP cluster on one network needs its own,\n")
                .append("  # so change them when two clusters share a LAN (the same VRID on both nodes of a pair).\n")
                .append("  groups {\n");
        switch (role) {
            case ASTERISK -> {
                String vip = vip(env, VIP);
                group(out, "asterisk", ASTERISK_VRID, vip, priority, main);
                out.append("      track = [{ probe = asterisk, weight = 0 }]   # FAULT (VIP released) while Asterisk does not answer\n")
                        .append("    }\n  }\n\n  probes {\n")
                        .append("    # SIP OPTIONS to the local Asterisk; any final response means up.\n")
                        .append("    asterisk { type = sip-options, target = \"127.0.0.1:5060\", interval = 1s, timeout = 500ms, "
                                + "rise = 2, fall = 2 }\n  }\n");
            }
            case HAPROXY -> {
                String vip = vip(env, VIP);
                group(out, "haproxy", HAPROXY_VRID, vip, priority, main);
                out.append("      track = [{ probe = haproxy, weight = 0 }]    # FAULT (VIP released) while HAProxy does not answer\n")
                        .append("    }\n  }\n\n  probes {\n")
                        .append("    # HAProxy's stats port; haproxy.cfg needs a frontend with `bind 127.0.0.1:8404` and\n")
                        .append("    # `monitor-uri /health` (or point url at the stats page, or any port HAProxy answers on).\n")
                        .append("    haproxy { type = http, url = ").append(Hocon.quote(HAPROXY_HEALTH_URL))
                        .append(", interval = 1s, timeout = 500ms, rise = 2, fall = 1 }\n  }\n");
            }
            case POSTGRESQL -> {
                String rw = vip(env, VIP_MAIN);
                String ro = vip(env, VIP_BACKUP);
                if (rw.equals(ro)) {
                    throw new InitException(VIP_BACKUP, "must differ from " + VIP_MAIN + " (" + rw + ")");
                }
                out.append("    # The database decides: the read-write VIP only on the primary, the read-only VIP on a\n")
                        .append("    # healthy standby (on the primary when no standby is healthy). The agent never promotes.\n");
                group(out, "pgsql-rw", PGSQL_RW_VRID, rw, priority, main);
                out.append("      follow = { probe = pg, role = primary }\n    }\n");
                group(out, "pgsql-ro", PGSQL_RO_VRID, ro, priority, main);
                out.append("      follow = { probe = pg, role = standby }\n    }\n  }\n\n  probes {\n")
                        .append("    # The probe's user needs pg_monitor; the password comes from the environment.\n")
                        .append("    # Add peers = [\"jdbc:postgresql://<other node>:5432/postgres\"] to tell a stale primary.\n")
                        .append("    pg {\n      type = postgresql\n")
                        .append("      url = \"jdbc:postgresql://127.0.0.1:5432/postgres\"\n")
                        .append("      user = \"omlha\"\n      password = ${?OMLHA_PG_PASSWORD}\n")
                        .append("      interval = 1s\n")
                        .append("      # Once the primary seems gone (its connection broke, its agent resigned pgsql-rw), the standby is\n")
                        .append("      # checked every 20 ms for up to 90 s, so pgsql-rw follows a promotion within tens of ms.\n")
                        .append("      # promotion-watch = 90s, promotion-watch-interval = 20ms   (0s: off)\n")
                        .append("    }\n  }\n")
                        .append("  # repmgr.conf on this node, so that a promotion or switchover repmgr makes is told at once:\n")
                        .append("  #   event_notification_command='/usr/bin/omlha-agent event %e'\n");
            }
            case REDIS -> {
                String vip = vip(env, VIP);
                String masterIp = host(env, MASTER_IP);
                int port = port(env, MASTER_PORT);
                List<String> sentinels = sentinels(env);
                out.append("    # Sentinel decides: the VIP only on the Redis that answers ROLE master and that a majority of\n")
                        .append("    # the sentinels below (").append(sentinels.size() / 2 + 1).append(" of ").append(sentinels.size())
                        .append("; one that does not answer counts against) name as the master.\n")
                        .append("    # A stale master that comes back after a failover never takes it. The agent never promotes,\n")
                        .append("    # and the priority does not choose the holder: only the elected master may hold the VIP.\n")
                        .append("    redis {\n")
                        .append("      vrid = ").append(REDIS_VRID).append('\n')
                        .append("      vips = [").append(Hocon.quote(vip)).append("]\n")
                        .append("      priority = ").append(priority).append("                  # oml_ha_rol = ").append(main ? "main" : "backup")
                        .append('\n')
                        .append("      follow = { probe = redis, role = master }\n    }\n  }\n\n  probes {\n")
                        .append("    # The local Redis (").append(MASTER_PORT).append("), and the Sentinels that watch the master ")
                        .append(masterIp).append(':').append(port).append(" (").append(MASTER_IP).append(").\n")
                        .append("    # sentinel-master is the name in sentinel.conf's `sentinel monitor` line.\n")
                        .append("    redis {\n      type = redis\n")
                        .append("      uri = ").append(Hocon.quote("redis://127.0.0.1:" + port)).append('\n')
                        .append("      sentinel-master = ").append(Hocon.quote(SENTINEL_MASTER)).append('\n')
                        .append("      sentinels = ").append(Hocon.list(sentinels)).append("   # ").append(SENTINELS).append('\n')
                        .append("      interval = 1s, timeout = 500ms   # cut off from the sentinel majority: VIP released within a check\n")
                        .append("      # Each sentinel's +switch-master is heard on a subscription: the VIP moves within milliseconds.\n")
                        .append("    }\n  }\n");
            }
        }
        if (email.isPresent()) {
            out.append("\n  notify {\n    email { to = [").append(Hocon.quote(email.get())).append("], from = ")
                    .append(Hocon.quote("omlha@" + host)).append(", smtp = \"127.0.0.1:25\" }   # ").append(EMAIL).append('\n')
                    .append("    # exec = \"/etc/omlha/notify.sh\"   # called as: notify.sh GROUP <group> <STATE> <priority>\n")
                    .append("  }\n");
        }
        return out.append("}\n").toString();
    }

    private static void group(StringBuilder out, String name, int vrid, String vip, int priority, boolean main) {
        out.append("    ").append(name).append(" {\n")
                .append("      vrid = ").append(vrid).append('\n')
                .append("      vips = [").append(Hocon.quote(vip)).append("]\n")
                .append("      priority = ").append(priority).append(main
                        ? "                  # oml_ha_rol = main (the backup node has 100)\n"
                        : "                  # oml_ha_rol = backup (the main node has 150)\n")
                .append("      preempt = true                  # the main takes the VIP back when it returns (takeover)\n");
    }

    /** {@code oml_master_ip}: the document allows an IP address or a host name. */
    private static String host(Map<String, String> env, String name) throws InitException {
        String text = required(env, name);
        if (!IPV4.matcher(text).matches() && !isIpv6(text) && !HOST.matcher(text).matches()) {
            throw new InitException(name, "expected an IP address or host name like 10.10.10.10, got " + Hocon.quote(text));
        }
        return text;
    }

    private static int port(Map<String, String> env, String name) throws InitException {
        String text = required(env, name);
        if (!text.matches("[0-9]{1,5}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
            throw new InitException(name, "expected a port 1..65535 like 6379, got " + Hocon.quote(text));
        }
        return Integer.parseInt(text);
    }

    /**
     * {@code oml_ha_sentinels}: at least three, since the VIP follows the master a majority of them name; each host or
     * host:port ({@value #SENTINEL_PORT} when left out).
     */
    private static List<String> sentinels(Map<String, String> env) throws InitException {
        if (!present(env, SENTINELS)) {
            throw new InitException(SENTINELS, "not set: list the Sentinels, comma-separated (host or host:port, port "
                    + SENTINEL_PORT + " by default; in the document they run on the three replica nodes), e.g. "
                    + "export " + SENTINELS + "=10.10.10.11,10.10.10.12,10.10.10.13; the VIP goes only to the master a "
                    + "majority of them name");
        }
        List<String> sentinels = new ArrayList<>();
        for (String item : env.get(SENTINELS).split(",")) {
            String text = item.trim();
            int colon = text.lastIndexOf(':');
            boolean hasPort = colon > 0 && text.indexOf(':') == colon; // one colon: host:port (IPv6 needs [..]:port)
            if (text.startsWith("[") && text.contains("]:")) {
                hasPort = true;
                colon = text.lastIndexOf("]:") + 1;
            }
            String host = hasPort ? text.substring(0, colon) : text;
            String port = hasPort ? text.substring(colon + 1) : String.valueOf(SENTINEL_PORT);
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            boolean hostOk = IPV4.matcher(bare).matches() || isIpv6(bare) || HOST.matcher(bare).matches();
            if (!hostOk || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new InitException(SENTINELS, "expected host or host:port, got " + Hocon.quote(text));
            }
            String formatted = (isIpv6(bare) ? "[" + bare + "]" : bare) + ":" + port;
            if (sentinels.contains(formatted)) {
                throw new InitException(SENTINELS, formatted + " is listed twice");
            }
            sentinels.add(formatted);
        }
        if (sentinels.size() < 3) {
            throw new InitException(SENTINELS, "lists " + sentinels.size() + "; at least three are needed: the VIP goes "
                    + "only to the master more than half of them name, an unreachable one counting against");
        }
        return sentinels;
    }

    private static boolean present(Map<String, String> env, String name) {
        String value = env.get(name);
        return value != null && !value.isBlank();
    }

    private static String required(Map<String, String> env, String name) throws InitException {
        if (!present(env, name)) {
            throw new InitException(name, "not set (export " + name + "=... as for the OMniLeads installer)");
        }
        return env.get(name).trim();
    }

    private static Optional<String> optional(Map<String, String> env, String name) {
        return present(env, name) ? Optional.of(env.get(name).trim()) : Optional.empty();
    }

    /** An address, or address/prefix; a bare address is a host address (/32, /128) as keepalived adds it. */
    private static String vip(Map<String, String> env, String name) throws InitException {
        String text = required(env, name);
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        boolean ipv6 = isIpv6(address);
        if (!IPV4.matcher(address).matches() && !ipv6) {
            throw new InitException(name, "expected an IP address like 172.16.20.84 (optionally /prefix), got "
                    + Hocon.quote(text));
        }
        int max = ipv6 ? 128 : 32;
        if (slash < 0) {
            return address + "/" + max;
        }
        String prefix = text.substring(slash + 1);
        if (!prefix.matches("[0-9]{1,3}") || Integer.parseInt(prefix) < 1 || Integer.parseInt(prefix) > max) {
            throw new InitException(name, "prefix length must be 1.." + max + ", got " + Hocon.quote(text));
        }
        return text;
    }

    private static boolean isIpv6(String text) {
        if (!text.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            return false;
        }
        try {
            return InetAddress.getByName("[" + text + "]") instanceof Inet6Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String interfaceName(String name) throws InitException {
        boolean valid = name.length() <= 15 && !name.equals(".") && !name.equals("..")
                && name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/' && c != ':');
        if (!valid) {
            throw new InitException(NIC, "not a Linux interface name (at most 15 characters, no '/', ':' or blanks): "
                    + Hocon.quote(name));
        }
        return name;
    }
}
