package org.omnileads.omlha.agent.migrate;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.omnileads.omlha.agent.migrate.KeepalivedConf.Statement;
import org.omnileads.omlha.agent.migrate.KeepalivedKeywords.Block;

/**
 * Converts a keepalived.conf (its VRRP part) into an agent configuration, keeping priorities, VRIDs, VIPs,
 * authentication and intervals, and listing every setting it could not carry over or had to change, with its line.
 * What the file leaves out gets keepalived's default, not the agent's: VRRP version 2 (RFC 3768), priority 100,
 * a check script's timeout equal to its interval, the mail sender {@code keepalived@<hostname>}.
 *
 * <p>A file keepalived runs is converted, never refused for a detail keepalived itself tolerates: a word keepalived
 * does not know (a typo) is reported with the keyword it may stand for ({@link KeepalivedKeywords}), a sender
 * without a domain is completed with this host's name, and the sample {@code router_id LVS_DEVEL}, which every
 * node of a cluster built from the sample shares, does not become the node name.
 */
public final class KeepalivedImporter {

    /** The agent configuration (HOCON, the list of what was not carried over at its top) and that list. */
    public record Conversion(String hocon, List<String> notCarriedOver) {
        public Conversion {
            notCarriedOver = List.copyOf(notCarriedOver);
        }
    }

    private static final Pattern NAME_CHARS = Pattern.compile("[^A-Za-z0-9_-]");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern SHELL_SYNTAX = Pattern.compile("[|&;<>$`'\"*?()\\[\\]{}~\\\\]");
    private static final int KEEPALIVED_DEFAULT_VERSION = 2;
    private static final int KEEPALIVED_DEFAULT_PRIORITY = 100;
    /** keepalived gives a {@code state MASTER} instance without a priority the address owner's. */
    private static final int KEEPALIVED_MASTER_DEFAULT_PRIORITY = 255;
    /** The router_id of keepalived's sample configuration, copied unchanged onto every node of many clusters. */
    private static final String SAMPLE_ROUTER_ID = "LVS_DEVEL";
    /** The agent's test of an address (AgentConfigReader): something, '@', something. */
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");
    private static final Pattern LOCAL_PART = Pattern.compile("[^@\\s]+");

    private final List<String> notes = new ArrayList<>();
    private final Map<String, Script> scripts = new LinkedHashMap<>();
    private final List<String> groups = new ArrayList<>();
    private final java.util.Set<String> importedGroups = new java.util.HashSet<>();
    private final Map<String, List<String>> syncGroups = new LinkedHashMap<>();
    private final List<Statement> syncStatements = new ArrayList<>();
    private final Set<String> notifyPrograms = new LinkedHashSet<>();
    private String node;
    private int version = KEEPALIVED_DEFAULT_VERSION;
    private String firstInterface;
    private final Map<String, String> globalAnnounce = new LinkedHashMap<>();
    /** The notification_email block, and the addresses in it (one or more per line). */
    private Statement notificationEmail;
    private final List<Statement> emailTo = new ArrayList<>();
    private Statement emailFrom;
    private String smtp;
    /** This host's name: the domain of an address keepalived.conf gives without one, and keepalived's default sender's. */
    private final String hostname;

    /** A {@code vrrp_script}: the probe it becomes, and the weight tracks use unless they set their own. */
    private record Script(String probeName, List<String> probeLines, int weight) {
    }

    private KeepalivedImporter(String hostname) {
        this.hostname = hostname.isBlank() ? "localhost" : hostname;
    }

    /**
     * Converts the statements of a keepalived.conf read on the host {@code hostname}; never fails: what does not fit
     * is in the list.
     */
    public static Conversion convert(List<Statement> conf, String hostname) {
        return new KeepalivedImporter(hostname).run(conf);
    }

    private Conversion run(List<Statement> conf) {
        for (Statement s : conf) {
            switch (s.keyword()) {
                case "global_defs" -> readGlobal(s);
                case "vrrp_script" -> readScript(s);
                default -> {
                }
            }
        }
        for (Statement s : conf) {
            switch (s.keyword()) {
                case "global_defs", "vrrp_script" -> {
                }
                case "vrrp_instance" -> readInstance(s);
                case "vrrp_sync_group" -> syncStatements.add(s); // after the instances they name
                case "include" -> note(s, "include " + s.rest() + " is not followed: convert that file too");
                default -> notCarriedOver(s, Block.TOP, "", " (the agent does VRRP only)");
            }
        }
        syncStatements.forEach(this::readSyncGroup);
        return new Conversion(render(), notes);
    }

    private void note(Statement s, String text) {
        notes.add("line " + s.line() + ": " + text);
    }

    /**
     * Notes a statement that is not carried over: either a keepalived keyword the agent has no use for, or a word
     * keepalived does not know either (it logs "Unknown keyword" and ignores the line, so the import does too),
     * with the keywords it may be a misspelling of. {@code where} starts the note ({@code "VI_1: "}).
     */
    private void notCarriedOver(Statement s, Block block, String where, String why) {
        if (KeepalivedKeywords.isKnown(block, s.keyword())) {
            note(s, where + s.keyword() + " is not carried over" + why);
        } else {
            note(s, where + unknownKeyword(block, s.keyword()) + ": keepalived ignores it, so does the import");
        }
    }

    /** {@code unknown keyword 'reise' (did you mean 'rise'?)} */
    private static String unknownKeyword(Block block, String word) {
        List<String> suggestions = KeepalivedKeywords.suggestions(block, word);
        String text = "unknown keyword '" + word + "'";
        if (!suggestions.isEmpty()) {
            text += " (did you mean '" + String.join("' or '", suggestions) + "'?)";
        }
        return text;
    }

    /**
     * The keyword a statement is read as: its own, or, when it is a misspelling of a keyword that {@code block} reads
     * as meant ({@link KeepalivedKeywords#safeCorrection}), that keyword, with a note saying so.
     */
    private String keyword(Statement s, Block block, String where) {
        Optional<String> meant = KeepalivedKeywords.safeCorrection(block, s.keyword());
        if (meant.isEmpty()) {
            return s.keyword();
        }
        note(s, where + unknownKeyword(block, s.keyword()) + ": read as '" + meant.get() + " " + s.rest()
                + "', although keepalived ignores the line and keeps its default: " + KeepalivedKeywords.whySafe(block, meant.get()));
        return meant.get();
    }

    /** A vrrp_sync_group becomes {@code sync-groups { NAME = [members] }}: its members go to FAULT together. */
    private void readSyncGroup(Statement sync) {
        String name = sync.args().isEmpty() ? "sync" + sync.line() : safeName(sync, sync.args().get(0));
        List<String> members = new ArrayList<>();
        for (String member : syncGroupMembers(sync)) {
            String group = NAME_CHARS.matcher(member).replaceAll("_");
            if (importedGroups.contains(group)) {
                members.add(group);
            } else {
                note(sync, "vrrp_sync_group " + name + ": member " + member + " is not a converted vrrp_instance");
            }
        }
        for (Statement child : sync.children()) {
            if (!child.keyword().equals("group")) {
                notCarriedOver(child, Block.VRRP_SYNC_GROUP, "vrrp_sync_group " + name + ": ", "");
            }
        }
        if (syncGroupMembers(sync).size() == 1) {
            // keepalived runs it, warning that a sync group of one "probably isn't what you want".
            note(sync, "vrrp_sync_group " + name + " has one member (" + syncGroupMembers(sync).get(0)
                    + "): nothing to keep together, not carried over");
            return;
        }
        if (members.size() < 2) {
            note(sync, "vrrp_sync_group " + name + " (members: " + String.join(", ", syncGroupMembers(sync))
                    + ") has fewer than two converted members: not carried over");
            return;
        }
        syncGroups.put(name, members);
        note(sync, "vrrp_sync_group " + name + " (members: " + String.join(", ", syncGroupMembers(sync))
                + ") becomes sync-groups." + name + ": a member in FAULT takes the others to FAULT (BACKUP is not forced)");
    }

    private static List<String> syncGroupMembers(Statement sync) {
        List<String> members = new ArrayList<>();
        for (Statement child : sync.children()) {
            if (child.keyword().equals("group")) {
                child.children().forEach(member -> members.addAll(member.words()));
                members.addAll(child.args());
            }
        }
        return members;
    }

    // ---- global_defs ----

    private void readGlobal(Statement global) {
        for (Statement s : global.children()) {
            String key = keyword(s, Block.GLOBAL_DEFS, "global_defs ");
            switch (key) {
                case "router_id" -> single(s).ifPresent(id -> {
                    if (id.equals(SAMPLE_ROUTER_ID)) {
                        note(s, "global_defs router_id " + id + " is keepalived's sample value, which every node built "
                                + "from the sample shares: it is not the node name; node is left unset, so the agent "
                                + "uses this host's name");
                    } else {
                        node = id;
                    }
                });
                case "vrrp_version" -> integer(s, 2, 3).ifPresent(v -> version = v);
                case "vrrp_garp_master_delay", "vrrp_garp_master_repeat", "vrrp_garp_master_refresh",
                        "vrrp_garp_master_refresh_repeat", "vrrp_garp_interval", "garp_master_delay", "garp_master_repeat",
                        "garp_master_refresh", "garp_master_refresh_repeat", "garp_interval" ->
                        announce(s, key.replaceFirst("^vrrp_", ""), globalAnnounce);
                case "notification_email" -> {
                    notificationEmail = notificationEmail == null ? s : notificationEmail;
                    emailTo.addAll(s.children());
                }
                case "notification_email_from" -> {
                    if (single(s).isPresent()) {
                        emailFrom = s;
                    }
                }
                case "smtp_server" -> {
                    if (s.args().isEmpty()) {
                        note(s, "smtp_server without a value");
                    } else {
                        String host = s.args().get(0);
                        String port = s.args().size() > 1 ? s.args().get(1) : "25";
                        smtp = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
                    }
                }
                default -> notCarriedOver(s, Block.GLOBAL_DEFS, "global_defs ", "");
            }
        }
    }

    /** keepalived's garp_* settings, by their name without the {@code vrrp_} prefix, into agent announce keys. */
    private void announce(Statement s, String key, Map<String, String> into) {
        switch (key) {
            case "garp_master_delay" -> seconds(s, 0, 3_600_000).ifPresent(ms -> into.put("second-burst-delay", Hocon.millis(ms)));
            case "garp_master_repeat" -> integer(s, 1, 100).ifPresent(n -> into.put("repeat", Integer.toString(n)));
            case "garp_master_refresh" -> seconds(s, 0, 86_400_000).ifPresent(ms -> {
                if (ms > 0 && ms < 1000) {
                    note(s, key + " below 1s is not supported, not carried over");
                } else {
                    into.put("refresh", Hocon.millis(ms));
                }
            });
            case "garp_master_refresh_repeat" -> integer(s, 1, 100).ifPresent(n -> into.put("refresh-repeat", Integer.toString(n)));
            case "garp_interval" -> seconds(s, 0, 10_000).ifPresent(ms -> into.put("spacing", Hocon.millis(ms)));
            default -> throw new IllegalArgumentException(key);
        }
    }

    // ---- vrrp_script ----

    private void readScript(Statement script) {
        if (script.args().size() != 1) {
            note(script, "vrrp_script needs exactly one name, not carried over");
            return;
        }
        String name = safeName(script, script.args().get(0));
        List<String> lines = new ArrayList<>();
        lines.add("type = exec");
        int weight = 0;
        boolean hasCommand = false;
        for (Statement s : script.children()) {
            switch (keyword(s, Block.VRRP_SCRIPT, "vrrp_script " + name + ": ")) {
                case "script" -> {
                    String command = s.rest();
                    List<String> argv = List.of(command.trim().split(" +"));
                    if (command.isBlank()) {
                        note(s, "vrrp_script " + name + ": empty script");
                        continue;
                    }
                    if (SHELL_SYNTAX.matcher(command).find()) {
                        note(s, "vrrp_script " + name + ": " + Hocon.quote(command) + " has shell syntax, but the agent runs "
                                + "it without a shell, split on spaces: wrap it in a script file");
                    }
                    lines.add("command = " + Hocon.list(argv));
                    hasCommand = true;
                }
                case "interval" -> seconds(s, 10, 3_600_000).ifPresent(ms -> lines.add("interval = " + Hocon.millis(ms)));
                case "timeout" -> seconds(s, 1, 3_600_000).ifPresent(ms -> lines.add("timeout = " + Hocon.millis(ms)));
                case "rise" -> integer(s, 1, 100).ifPresent(n -> lines.add("rise = " + n));
                case "fall" -> integer(s, 1, 100).ifPresent(n -> lines.add("fall = " + n));
                case "weight" -> {
                    Optional<Integer> w = integer(s, -254, 254);
                    if (w.isPresent()) {
                        weight = w.get();
                    }
                    if (s.args().size() > 1) {
                        note(s, "vrrp_script " + name + ": weight " + s.rest() + ": only the number is carried over");
                    }
                }
                default -> notCarriedOver(s, Block.VRRP_SCRIPT, "vrrp_script " + name + ": ", "");
            }
        }
        if (!hasCommand) {
            note(script, "vrrp_script " + name + " has no script, not carried over");
            return;
        }
        clampTimeout(script, name, lines);
        scripts.put(script.args().get(0), new Script(name, lines, weight));
    }

    /**
     * keepalived lets a script run longer than its interval; the agent does not. Without a timeout keepalived waits
     * the interval, and the agent at most 1s: so the interval is written.
     */
    private void clampTimeout(Statement script, String name, List<String> lines) {
        long interval = lines.stream().filter(l -> l.startsWith("interval = ")).map(l -> parseMillis(l.substring(11)))
                .findFirst().orElse(1000L);
        if (lines.stream().noneMatch(l -> l.startsWith("timeout = "))) {
            lines.add("timeout = " + Hocon.millis(interval));
            note(script, "vrrp_script " + name + ": no timeout: keepalived's default, the interval ("
                    + Hocon.millis(interval) + "), is written");
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("timeout = ") && parseMillis(lines.get(i).substring(10)) > interval) {
                note(script, "vrrp_script " + name + ": timeout is longer than interval; it becomes the interval");
                lines.set(i, "timeout = " + Hocon.millis(interval));
            }
        }
    }

    private static long parseMillis(String formatted) {
        return formatted.endsWith("ms") ? Long.parseLong(formatted.substring(0, formatted.length() - 2))
                : Long.parseLong(formatted.substring(0, formatted.length() - 1)) * 1000;
    }

    // ---- vrrp_instance ----

    private void readInstance(Statement instance) {
        if (instance.args().size() != 1) {
            note(instance, "vrrp_instance needs exactly one name, not carried over");
            return;
        }
        String name = safeName(instance, instance.args().get(0));
        List<String> lines = new ArrayList<>();
        Map<String, String> announce = new LinkedHashMap<>();
        Map<String, Statement> notify = new LinkedHashMap<>();
        String iface = null;
        Optional<Long> advert = Optional.empty();
        boolean ipv6 = false;
        List<String> vips = new ArrayList<>();
        List<Statement> vipDevs = new ArrayList<>();
        boolean stateMaster = false;
        boolean priorityGiven = false;
        for (Statement s : instance.children()) {
            String key = keyword(s, Block.VRRP_INSTANCE, name + ": ");
            switch (key) {
                case "state" -> {
                    stateMaster = s.rest().equals("MASTER");
                    note(s, name + ": state " + s.rest() + " is ignored: the agent starts as BACKUP and elects by priority");
                }
                case "interface" -> {
                    iface = single(s).orElse(iface);
                }
                case "virtual_router_id" -> integer(s, 1, 255).ifPresent(v -> lines.add("vrid = " + v));
                case "priority" -> {
                    priorityGiven = true;
                    integer(s, 1, 255).ifPresent(v -> lines.add("priority = " + v));
                }
                case "version" -> integer(s, 2, 3).ifPresent(v -> lines.add("version = " + v));
                case "advert_int" -> advert = seconds(s, 10, 255_000);
                case "nopreempt" -> lines.add("preempt = false");
                case "preempt" -> lines.add("preempt = true");
                case "preempt_delay" -> seconds(s, 0, 3_600_000).ifPresent(ms -> lines.add("preempt-delay = " + Hocon.millis(ms)));
                case "unicast_src_ip" -> note(s, name + ": unicast_src_ip " + s.rest()
                        + " is not carried over: the agent sends from the interface's primary address");
                case "unicast_peer" -> {
                    List<String> peers = new ArrayList<>();
                    for (Statement peer : s.children()) {
                        String address = peer.keyword();
                        if (isAddress(address)) {
                            peers.add(address);
                        } else {
                            note(peer, name + ": unicast peer " + Hocon.quote(address) + " is not an IP address");
                        }
                        if (peer.words().size() > 1) {
                            note(peer, name + ": unicast peer options " + peer.rest() + " are not carried over");
                        }
                    }
                    lines.add("unicast-peers = " + Hocon.list(peers));
                }
                case "authentication" -> authentication(s, name, lines);
                case "virtual_ipaddress" -> {
                    for (Statement vip : s.children()) {
                        vip(vip, name, vips, vipDevs);
                    }
                }
                case "track_script" -> track(s, name, lines);
                case "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify" -> notify.put(key, s);
                case "garp_master_delay", "garp_master_repeat", "garp_master_refresh", "garp_master_refresh_repeat",
                        "garp_interval" -> announce(s, key, announce);
                default -> notCarriedOver(s, Block.VRRP_INSTANCE, name + ": ", "");
            }
        }
        if (lines.stream().noneMatch(l -> l.startsWith("priority = "))) {
            // keepalived replaces an invalid priority by 100; only a missing one depends on the state.
            boolean owner = stateMaster && !priorityGiven;
            int priority = owner ? KEEPALIVED_MASTER_DEFAULT_PRIORITY : KEEPALIVED_DEFAULT_PRIORITY;
            lines.add("priority = " + priority);
            note(instance, name + (priorityGiven ? ": priority not usable" : ": no priority") + ": keepalived's default "
                    + priority + (owner ? " (the address owner's, for state MASTER)" : "") + " is written");
        }
        if (iface != null && firstInterface == null) {
            firstInterface = iface;
        }
        for (String vip : vips) {
            ipv6 |= vip.contains(":");
        }
        for (int i = 0; i < vips.size(); i++) {
            Statement vip = vipDevs.get(i);
            int at = vip.words().indexOf("dev");
            String dev = at >= 0 && at + 1 < vip.words().size() ? vip.words().get(at + 1) : null;
            if (dev != null && iface != null && !dev.equals(iface)) {
                note(vip, name + ": VIP " + vips.get(i) + " dev " + dev + " is put on the group's interface "
                        + iface + ": the agent attaches a group's VIPs to the interface it advertises on");
            }
        }
        int groupVersion = lines.stream().filter(l -> l.startsWith("version = "))
                .map(l -> Integer.parseInt(l.substring(10))).findFirst().orElse(version);
        if (ipv6 && groupVersion == 2) {
            lines.removeIf(l -> l.startsWith("version = "));
            lines.add("version = 3");
            groupVersion = 3;
            note(instance, name + ": IPv6 VIPs need VRRPv3, the group uses version 3 (as keepalived does)");
        }
        if (advert.isPresent()) {
            lines.add("advert-interval = " + Hocon.millis(advertInterval(instance, name, advert.get(), groupVersion)));
        }
        lines.add(0, "vips = " + Hocon.list(vips));
        if (iface != null && !iface.equals(firstInterface)) {
            lines.add(0, "interface = " + Hocon.quote(iface));
        }
        if (!announce.isEmpty()) {
            lines.add("announce { " + joinSettings(announce) + " }");
        }
        notifyScripts(instance, name, notify);
        StringBuilder group = new StringBuilder("    ").append(name).append(" {\n");
        for (String line : lines) {
            group.append("      ").append(line).append('\n');
        }
        groups.add(group.append("    }\n").toString());
        importedGroups.add(name);
    }

    /** v2 counts whole seconds (RFC 3768 section 5.3.7), v3 centiseconds (RFC 5798 section 5.2.7). */
    private long advertInterval(Statement instance, String name, long ms, int groupVersion) {
        long step = groupVersion == 2 ? 1000 : 10;
        long max = groupVersion == 2 ? 255_000 : 40_950;
        long rounded = Math.min(max, Math.max(step, (ms + step - 1) / step * step));
        if (rounded != ms) {
            note(instance, name + ": advert_int " + Hocon.millis(ms) + " is not possible with VRRPv" + groupVersion
                    + ", it becomes " + Hocon.millis(rounded));
        }
        return rounded;
    }

    private void authentication(Statement auth, String name, List<String> lines) {
        String type = null;
        String pass = null;
        for (Statement s : auth.children()) {
            switch (keyword(s, Block.AUTHENTICATION, name + ": authentication ")) {
                case "auth_type" -> type = single(s).orElse(null);
                case "auth_pass" -> pass = s.rest();
                default -> notCarriedOver(s, Block.AUTHENTICATION, name + ": authentication ", "");
            }
        }
        if (type == null) {
            note(auth, name + ": authentication without auth_type: keepalived sends none, neither does the agent");
        } else if (!"PASS".equals(type)) {
            note(auth, name + ": auth_type " + type + " is not carried over: the agent supports only PASS");
        } else if (pass == null || pass.isEmpty()) {
            note(auth, name + ": auth_type PASS without auth_pass, not carried over");
        } else {
            if (pass.length() > 8) {
                note(auth, name + ": auth_pass is longer than 8 characters; keepalived sends only the first 8, so the "
                        + "agent uses those");
                pass = pass.substring(0, 8);
            }
            lines.add("auth-pass = " + Hocon.quote(pass));
        }
    }

    /** {@code ADDRESS[/PREFIX] [brd X] [dev IF] [scope S] [label L]}; without a prefix a host address (/32, /128). */
    private void vip(Statement vip, String name, List<String> vips, List<Statement> devs) {
        String text = vip.keyword();
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        String prefix = slash < 0 ? (address.contains(":") ? "128" : "32") : text.substring(slash + 1);
        int max = address.contains(":") ? 128 : 32;
        if (!isAddress(address) || !prefix.matches("[0-9]{1,3}") || Integer.parseInt(prefix) < 1
                || Integer.parseInt(prefix) > max) {
            note(vip, name + ": VIP " + Hocon.quote(text) + " is not address/prefix, not carried over");
            return;
        }
        List<String> options = vip.args();
        for (int i = 0; i < options.size(); i++) {
            if (options.get(i).equals("dev") && i + 1 < options.size()) {
                i++;
            } else {
                note(vip, name + ": VIP option " + options.get(i) + " is not carried over");
            }
        }
        String carried = address + "/" + prefix;
        if (vips.contains(carried)) {
            note(vip, name + ": VIP " + carried + " is listed twice");
            return;
        }
        vips.add(carried);
        devs.add(vip);
    }

    private void track(Statement track, String name, List<String> lines) {
        List<String> entries = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Statement s : track.children()) {
            Script script = scripts.get(s.keyword());
            if (script == null) {
                note(s, name + ": track_script " + s.keyword() + " names no (usable) vrrp_script, not carried over");
                continue;
            }
            int weight = script.weight();
            List<String> options = s.args();
            if (options.size() >= 2 && options.get(0).equals("weight")) {
                weight = integer(s, options.get(1), -254, 254).orElse(weight);
                if (options.size() > 2) {
                    note(s, name + ": track_script " + s.keyword() + " " + String.join(" ", options.subList(2, options.size()))
                            + " is not carried over");
                }
            } else if (!options.isEmpty()) {
                note(s, name + ": track_script " + s.keyword() + " " + s.rest() + " is not carried over");
            }
            if (seen.add(script.probeName())) {
                entries.add("{ probe = " + script.probeName() + ", weight = " + weight + " }");
            }
        }
        if (!entries.isEmpty()) {
            lines.add("track = [" + String.join(", ", entries) + "]");
        }
    }

    /**
     * The agent calls one script, with the state as an argument ({@code script GROUP name STATE priority}); keepalived
     * may call one per state. The same program for every state carries over; different ones do not.
     */
    private void notifyScripts(Statement instance, String name, Map<String, Statement> notify) {
        if (notify.isEmpty()) {
            return;
        }
        Set<String> programs = new LinkedHashSet<>();
        notify.values().forEach(s -> programs.add(s.args().isEmpty() ? "" : s.args().get(0).trim().split(" +")[0]));
        String program = programs.iterator().next();
        if (programs.size() != 1 || !program.startsWith("/")) {
            notify.values().forEach(s -> note(s, name + ": " + s.keyword() + " " + s.rest() + " is not carried over: the "
                    + "agent calls one script (an absolute path) with the state as an argument"));
            return;
        }
        for (Statement s : notify.values()) {
            if (!s.keyword().equals("notify") && !s.rest().equals(program)) {
                note(s, name + ": " + s.keyword() + " " + s.rest() + " becomes notify.exec = " + program
                        + ", called as " + program + " GROUP <group> <STATE> <priority> (not with these arguments)");
            } else if (!s.keyword().equals("notify")) {
                note(s, name + ": " + s.keyword() + " becomes notify.exec, now called for every state with "
                        + "GROUP <group> <STATE> <priority>");
            }
        }
        notifyPrograms.add(program);
    }

    // ---- values ----

    private Optional<String> single(Statement s) {
        if (s.args().size() != 1) {
            note(s, s.keyword() + " needs one value, got " + s.args().size() + ", not carried over");
            return Optional.empty();
        }
        return Optional.of(s.args().get(0));
    }

    private Optional<Integer> integer(Statement s, int min, int max) {
        return single(s).flatMap(text -> integer(s, text, min, max));
    }

    private Optional<Integer> integer(Statement s, String text, int min, int max) {
        if (!text.matches("-?[0-9]{1,9}") || Integer.parseInt(text) < min || Integer.parseInt(text) > max) {
            note(s, s.keyword() + " " + Hocon.quote(text) + " is not a whole number in " + min + ".." + max
                    + ", not carried over");
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(text));
    }

    /** keepalived writes times as seconds, possibly with decimals; the agent takes milliseconds. */
    private Optional<Long> seconds(Statement s, long minMs, long maxMs) {
        return single(s).flatMap(text -> {
            try {
                if (text.matches("[0-9]{1,9}(\\.[0-9]{1,6})?")) {
                    long ms = new BigDecimal(text).movePointRight(3).setScale(0, java.math.RoundingMode.CEILING)
                            .longValueExact();
                    if (ms >= minMs && ms <= maxMs) {
                        return Optional.of(ms);
                    }
                }
            } catch (ArithmeticException e) {
                // falls through to the note
            }
            note(s, s.keyword() + " " + Hocon.quote(text) + " is not a time in seconds in " + Hocon.millis(minMs) + ".."
                    + Hocon.millis(maxMs) + ", not carried over");
            return Optional.empty();
        });
    }

    private static boolean isAddress(String text) {
        return IPV4.matcher(text).matches() || (IPV6.matcher(text).matches() && ipv6Literal(text));
    }

    private static boolean ipv6Literal(String text) {
        try {
            return java.net.InetAddress.getByName("[" + text + "]") instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException | RuntimeException e) {
            return false;
        }
    }

    private String safeName(Statement s, String name) {
        String safe = NAME_CHARS.matcher(name).replaceAll("_");
        if (safe.length() > 64) {
            safe = safe.substring(0, 64);
        }
        if (!safe.equals(name)) {
            note(s, Hocon.quote(name) + " is renamed " + safe + " (names are letters, digits, '-' and '_')");
        }
        return safe;
    }

    private static int lineOf(String note) {
        if (!note.startsWith("line ")) {
            return Integer.MAX_VALUE;
        }
        return Integer.parseInt(note.substring(5, note.indexOf(':')));
    }

    private static String joinSettings(Map<String, String> settings) {
        List<String> parts = new ArrayList<>();
        settings.forEach((k, v) -> parts.add(k + " = " + v));
        return String.join(", ", parts);
    }

    // ---- mail ----

    /**
     * {@code email { to, from, smtp }} from global_defs, when it names recipients and an SMTP server. An address
     * without a domain (the OMniLeads template's sender is plain {@code keepalived}) gets this host's name, as the
     * local mail system completes it; without a usable sender, keepalived's default {@code keepalived@<hostname>}.
     */
    private Optional<String> email() {
        if (emailTo.isEmpty()) {
            return Optional.empty();
        }
        if (smtp == null) {
            notes.add("global_defs notification_email without smtp_server: not carried over");
            return Optional.empty();
        }
        List<String> to = new ArrayList<>();
        for (Statement recipient : emailTo) {
            for (String address : recipient.words()) {
                address(recipient, "global_defs notification_email " + address, address).ifPresent(to::add);
            }
        }
        if (to.isEmpty()) {
            note(notificationEmail, "global_defs notification_email names no usable address: not carried over");
            return Optional.empty();
        }
        Optional<String> from = Optional.empty();
        if (emailFrom != null) {
            String given = emailFrom.args().get(0);
            from = address(emailFrom, "global_defs notification_email_from " + given, given);
        }
        if (from.isEmpty()) {
            from = Optional.of("keepalived@" + hostname);
            note(emailFrom != null ? emailFrom : notificationEmail, "global_defs: the sender is keepalived's default, "
                    + from.get());
        }
        notes.add("global_defs notification_email: the agent mails every state change (keepalived only with smtp_alert)");
        return Optional.of("email { to = " + Hocon.list(to) + ", from = " + Hocon.quote(from.get()) + ", smtp = "
                + Hocon.quote(smtp) + " }");
    }

    /** {@code address} as the agent takes it: as it is, completed with this host's name, or not at all. */
    private Optional<String> address(Statement s, String what, String address) {
        if (EMAIL.matcher(address).matches()) {
            return Optional.of(address);
        }
        if (LOCAL_PART.matcher(address).matches()) {
            String full = address + "@" + hostname;
            note(s, what + " has no domain: it becomes " + full + " (this host's name, as the local mail system "
                    + "completes it)");
            return Optional.of(full);
        }
        note(s, what + " is not an e-mail address, not carried over");
        return Optional.empty();
    }

    // ---- output ----

    private String render() {
        StringBuilder out = new StringBuilder();
        out.append("# Converted from keepalived.conf by omlha-agent import-keepalived. Check it with:\n")
                .append("#   omlha-agent check-config -c FILE\n");
        if (notifyPrograms.size() > 1) {
            notes.add("notify scripts differ between instances (" + String.join(", ", notifyPrograms)
                    + "): the agent calls one, not carried over");
        }
        boolean exec = notifyPrograms.size() == 1;
        Optional<String> email = email();
        notes.sort(java.util.Comparator.comparingInt(KeepalivedImporter::lineOf));
        if (!notes.isEmpty()) {
            out.append("#\n# Not carried over, or changed:\n");
            notes.forEach(n -> out.append("#   ").append(n.replace("\n", " ").replace("\r", " ")).append('\n'));
        }
        out.append("omlha {\n");
        if (node != null) {
            out.append("  node = ").append(Hocon.quote(node)).append('\n');
        }
        if (firstInterface != null) {
            out.append("  interface = ").append(Hocon.quote(firstInterface)).append('\n');
        }
        out.append("  vrrp { version = ").append(version).append(", advert-interval = 1s");
        if (!globalAnnounce.isEmpty()) {
            out.append(", announce { ").append(joinSettings(globalAnnounce)).append(" }");
        }
        out.append(" }\n\n  groups {\n");
        groups.forEach(out::append);
        out.append("  }\n");
        if (!syncGroups.isEmpty()) {
            out.append("\n  sync-groups {\n");
            syncGroups.forEach((name, members) -> out.append("    ").append(name).append(" = ").append(Hocon.list(members)).append('\n'));
            out.append("  }\n");
        }
        if (!scripts.isEmpty()) {
            out.append("\n  probes {\n");
            for (Script script : scripts.values()) {
                out.append("    ").append(script.probeName()).append(" { ")
                        .append(String.join(", ", script.probeLines())).append(" }\n");
            }
            out.append("  }\n");
        }
        if (exec || email.isPresent()) {
            out.append("\n  notify {\n");
            email.ifPresent(settings -> out.append("    ").append(settings).append('\n'));
            if (exec) {
                out.append("    exec = ").append(Hocon.quote(notifyPrograms.iterator().next())).append('\n');
            }
            out.append("  }\n");
        }
        return out.append("}\n").toString();
    }
}
