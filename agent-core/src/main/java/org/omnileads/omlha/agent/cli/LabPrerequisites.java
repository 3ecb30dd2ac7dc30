package org.omnileads.omlha.agent.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What {@code omlha-agent lab} needs from the machine before it creates anything: root, {@code ip} (the namespaces,
 * veths, the bridge), {@code sysctl} (each host's settings) and {@code ping} (the client that shows the VIP answering). Without ping the demonstration would
 * print "no answer" at every step, as if the failover had failed.
 */
final class LabPrerequisites {
    /** Each tool the lab runs, with the package that brings it on Debian and on RHEL. */
    static final Map<String, String> TOOLS = Map.of(
            "ip", "iproute2 (Debian) / iproute (RHEL)",
            "sysctl", "procps (Debian) / procps-ng (RHEL)",
            "ping", "iputils-ping (Debian) / iputils (RHEL)");

    private LabPrerequisites() {}

    /** One line per missing thing, saying what to install or do; empty when the lab can run. */
    static List<String> problems(boolean root, Predicate<String> onPath) {
        List<String> problems = new ArrayList<>();
        if (!root) {
            problems.add("needs root (it creates network namespaces); try: sudo bin/omlha-agent lab");
        }
        for (String tool : List.of("ip", "sysctl", "ping")) {
            if (!onPath.test(tool)) {
                problems.add("needs " + tool + ": install " + TOOLS.get(tool));
            }
        }
        return problems;
    }

    /** Whether an executable {@code name} is in one of the PATH's folders. */
    static boolean onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }
}
