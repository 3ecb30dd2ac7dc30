package org.omnileads.omlha.agent.config;

import com.typesafe.config.ConfigObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Walks the resolved tree of {@code omlha { ... }} into an {@link AgentConfig}: the top-level keys and notify here,
 * groups in {@link GroupReader}, probes in {@link ProbeReader}. Every problem is reported to {@link Problems} and
 * reading goes on with a default, so one run finds all of them; the result is only used when there were none.
 */
final class AgentConfigReader {
    static final List<String> TOP_KEYS =
            List.of("node", "tenant", "interface", "control", "state-dir", "metrics", "realtime-priority", "vrrp", "groups", "probes", "notify", "sync-groups");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");
    private static final int MAX_SOCKET_PATH_BYTES = 107;
    private static final int MAX_INTERFACE_NAME = 15;

    private AgentConfigReader() {
    }

    /** The configuration, or empty when there is not even an {@code omlha} object (already reported). */
    static Optional<AgentConfig> read(ConfigObject root, Problems problems, Supplier<String> hostname) {
        ConfigNode top = ConfigNode.root(root, problems);
        top.allowOnly(List.of("omlha"));
        top.requireKey("omlha");
        Optional<ConfigNode> omlha = top.object("omlha");
        return omlha.map(o -> readAgent(o, hostname));
    }

    private static AgentConfig readAgent(ConfigNode omlha, Supplier<String> hostname) {
        omlha.allowOnly(TOP_KEYS);
        String node = omlha.has("node") ? omlha.text("node").orElse("") : hostname.get();
        String tenant = omlha.string("tenant").orElse("");
        Optional<String> defaultInterface = omlha.has("interface")
                ? Optional.of(interfaceName(omlha).orElse(""))
                : Optional.empty();
        Path controlSocket = controlSocket(omlha);
        Path stateDir = stateDir(omlha);
        String metricsListen = metricsListen(omlha);
        int realtimePriority = omlha.has("realtime-priority")
                ? omlha.integer("realtime-priority", 0, 99).orElse(AgentConfig.DEFAULT_REALTIME_PRIORITY)
                : AgentConfig.DEFAULT_REALTIME_PRIORITY;
        VrrpDefaults vrrp = omlha.object("vrrp").map(GroupReader::readVrrp).orElse(VrrpDefaults.DEFAULTS);
        List<ProbeConfig> probes = omlha.object("probes").map(ProbeReader::readAll).orElse(List.of());
        List<GroupConfig> groups = GroupReader.readGroups(omlha, defaultInterface, vrrp, probes);
        NotifyConfig notify = omlha.object("notify").map(AgentConfigReader::readNotify).orElse(NotifyConfig.NONE);
        Map<String, List<String>> syncGroups = omlha.object("sync-groups").map(o -> readSyncGroups(o, groups)).orElse(Map.of());
        return new AgentConfig(node, tenant, defaultInterface.orElse(""), controlSocket, stateDir, metricsListen, realtimePriority, vrrp, groups,
                probes, notify, syncGroups);
    }

    /**
     * {@code sync-groups { web = [asterisk, asterisk6] }} (keepalived's vrrp_sync_group): groups that must fail together.
     * Each member is a configured group, in at most one sync group.
     */
    private static Map<String, List<String>> readSyncGroups(ConfigNode node, List<GroupConfig> groups) {
        Map<String, List<String>> syncGroups = new java.util.LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Set<String> known = new java.util.HashSet<>();
        groups.forEach(g -> known.add(g.name()));
        for (String name : node.keys()) {
            Optional<List<ConfigNode.Element>> members = node.list(name);
            if (members.isEmpty()) {
                continue;
            }
            if (members.get().size() < 2) {
                node.problem(name, "a sync group needs at least two groups");
            }
            List<String> names = new java.util.ArrayList<>();
            for (ConfigNode.Element member : members.get()) {
                member.string().ifPresent(group -> {
                    if (!known.contains(group)) {
                        member.problem("no group named " + Values.quote(group));
                    } else if (!seen.add(group)) {
                        member.problem("group " + Values.quote(group) + " is already in a sync group");
                    } else {
                        names.add(group);
                    }
                });
            }
            syncGroups.put(name, List.copyOf(names));
        }
        return syncGroups;
    }

    /** Group and probe names appear in metrics labels and notify arguments: keep them plain. */
    static void checkName(ConfigNode named) {
        if (!NAME.matcher(named.name()).matches()) {
            named.problem("name must be 1..64 letters, digits, '-' or '_'");
        }
    }

    /** {@code interface} of {@code node}, if set and a possible Linux interface name. */
    static Optional<String> interfaceName(ConfigNode node) {
        return node.text("interface").filter(name -> {
            boolean valid = name.length() <= MAX_INTERFACE_NAME && !name.equals(".") && !name.equals("..")
                    && name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/' && c != ':');
            if (!valid) {
                node.problem("interface", "not a Linux interface name (at most 15 characters, no '/', ':' or blanks): "
                        + Values.quote(name));
            }
            return valid;
        });
    }

    private static Path controlSocket(ConfigNode omlha) {
        Optional<ConfigNode> control = omlha.object("control");
        control.ifPresent(c -> c.allowOnly(List.of("socket")));
        Optional<String> socket = control.flatMap(c -> c.text("socket"));
        if (socket.isEmpty()) {
            return AgentConfig.DEFAULT_CONTROL_SOCKET;
        }
        ConfigNode c = control.get();
        if (socket.get().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
            c.problem("socket", "a unix socket path has at most " + MAX_SOCKET_PATH_BYTES + " bytes");
        }
        try {
            return Path.of(socket.get());
        } catch (InvalidPathException e) {
            c.problem("socket", "not a path: " + Values.quote(socket.get()));
            return AgentConfig.DEFAULT_CONTROL_SOCKET;
        }
    }

    private static Path stateDir(ConfigNode omlha) {
        Optional<String> dir = omlha.has("state-dir") ? omlha.text("state-dir") : Optional.empty();
        if (dir.isEmpty()) {
            return AgentConfig.DEFAULT_STATE_DIR;
        }
        try {
            Path path = Path.of(dir.get());
            if (!path.isAbsolute()) {
                omlha.problem("state-dir", "an absolute path, like " + AgentConfig.DEFAULT_STATE_DIR);
            }
            return path;
        } catch (InvalidPathException e) {
            omlha.problem("state-dir", "not a path: " + Values.quote(dir.get()));
            return AgentConfig.DEFAULT_STATE_DIR;
        }
    }

    private static String metricsListen(ConfigNode omlha) {
        Optional<ConfigNode> metrics = omlha.object("metrics");
        metrics.ifPresent(m -> m.allowOnly(List.of("listen")));
        Optional<String> listen = metrics.flatMap(m -> m.string("listen"));
        if (listen.isEmpty()) {
            return AgentConfig.DEFAULT_METRICS_LISTEN;
        }
        if (!listen.get().isEmpty()) {
            try {
                Addresses.checkHostPort(listen.get());
            } catch (IllegalArgumentException e) {
                metrics.get().problem("listen", e.getMessage() + " (\"\" disables metrics)");
            }
        }
        return listen.get();
    }

    private static NotifyConfig readNotify(ConfigNode notify) {
        notify.allowOnly(List.of("email", "exec"));
        Optional<EmailNotify> email = notify.object("email").flatMap(AgentConfigReader::readEmail);
        Optional<String> exec = notify.text("exec").filter(path -> {
            try {
                ProbeReader.checkAbsolutePath(path);
                return true;
            } catch (IllegalArgumentException e) {
                notify.problem("exec", e.getMessage());
                return false;
            }
        });
        return new NotifyConfig(email, exec);
    }

    private static Optional<EmailNotify> readEmail(ConfigNode email) {
        email.allowOnly(List.of("to", "from", "smtp"));
        email.requireKey("to");
        email.requireKey("from");
        email.requireKey("smtp");
        Optional<List<String>> to = email.list("to").map(elements -> {
            if (elements.isEmpty()) {
                email.problem("to", "must name at least one address");
            }
            List<String> addresses = new ArrayList<>();
            for (ConfigNode.Element element : elements) {
                element.string().filter(address -> isEmail(address, element)).ifPresent(addresses::add);
            }
            return addresses;
        });
        Optional<String> from = email.string("from").filter(address -> {
            boolean valid = EMAIL.matcher(address).matches();
            if (!valid) {
                email.problem("from", "expected an e-mail address, got " + Values.quote(address));
            }
            return valid;
        });
        Optional<String> smtp = email.string("smtp").filter(hostPort -> {
            try {
                Addresses.checkHostPort(hostPort);
                return true;
            } catch (IllegalArgumentException e) {
                email.problem("smtp", e.getMessage());
                return false;
            }
        });
        if (to.isEmpty() || from.isEmpty() || smtp.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new EmailNotify(to.get(), from.get(), smtp.get()));
    }

    private static boolean isEmail(String address, ConfigNode.Element element) {
        boolean valid = EMAIL.matcher(address).matches();
        if (!valid) {
            element.problem("expected an e-mail address, got " + Values.quote(address));
        }
        return valid;
    }
}
