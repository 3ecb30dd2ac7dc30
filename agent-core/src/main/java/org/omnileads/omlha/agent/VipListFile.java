package org.omnileads.omlha.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.vip.VipAddress;

/**
 * {@code state-dir/vips}: every VIP the running agent may hold, one {@code interface address/prefix} per line, written
 * before the loop can attach any and again after each reload. It is what the unit's {@code ExecStopPost=} removes after
 * a crash: the launcher reads it with ip(8) in milliseconds (a JVM would start for most of a second, while the dead
 * node still answers ARP for its VIPs), and it names the VIPs of the agent that ran, even if the config file was edited
 * since.
 */
final class VipListFile {
    static final String FILE_NAME = "vips";

    private final Path file;

    VipListFile(Path stateDir) {
        this.file = stateDir.resolve(FILE_NAME);
    }

    Path file() {
        return file;
    }

    /** The lines for {@code configs}' groups, each VIP once. */
    static Set<String> lines(Collection<AgentConfig> configs) {
        Set<String> lines = new LinkedHashSet<>();
        for (AgentConfig config : configs) {
            for (GroupConfig group : config.groups()) {
                for (VipAddress vip : group.vips()) {
                    lines.add(group.interfaceName() + " " + vip);
                }
            }
        }
        return lines;
    }

    void write(Set<String> lines) throws IOException {
        StringBuilder text = new StringBuilder("# the VIPs the running omlha-agent may hold (interface address/prefix); "
                + "'omlha-agent release-vips' under systemd removes them after a crash\n");
        for (String line : lines) {
            text.append(line).append('\n');
        }
        StateFiles.writeAtomically(file, text.toString());
    }
}
