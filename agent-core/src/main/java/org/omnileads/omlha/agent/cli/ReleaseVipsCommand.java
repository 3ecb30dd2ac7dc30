package org.omnileads.omlha.agent.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.ConfigException;
import org.omnileads.omlha.agent.config.ConfigLoader;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.vip.AddressManager;
import org.omnileads.omlha.vip.VipAddress;
import org.omnileads.omlha.vrrp.net.Interfaces;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Removes every VIP of the configured groups from this node's interfaces: what the unit's {@code ExecStopPost=} runs,
 * so an agent that was killed (SIGKILL, the OOM killer, the watchdog's abort) leaves no address behind once systemd
 * has seen it die. After a clean stop the VIPs are already gone and it removes nothing. Never run it next to a live
 * agent: the VIPs are that agent's.
 */
@Command(name = "release-vips", description = "Remove the configured VIPs from this node's interfaces (the unit's ExecStopPost).")
final class ReleaseVipsCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "configuration file (default: ${DEFAULT-VALUE})", defaultValue = Main.DEFAULT_CONFIG)
    Path config;

    @Override
    public Integer call() throws ConfigException {
        AgentConfig loaded = ConfigLoader.load(config); // a bad file: Main prints it and exits 2
        int removed = 0;
        try (AddressManager addresses = AddressManager.open()) {
            for (GroupConfig group : loaded.groups()) {
                int ifIndex;
                try {
                    ifIndex = Interfaces.ifIndex(group.interfaceName());
                } catch (RuntimeException e) {
                    System.out.printf("group %s: interface %s not found, nothing to remove%n", group.name(), group.interfaceName());
                    continue;
                }
                for (VipAddress vip : group.vips()) {
                    try {
                        if (addresses.remove(ifIndex, vip)) {
                            System.out.printf("group %s: removed %s from %s%n", group.name(), vip, group.interfaceName());
                            removed++;
                        }
                    } catch (RuntimeException e) {
                        System.err.printf("group %s: could not remove %s from %s: %s%n", group.name(), vip, group.interfaceName(),
                                e.getMessage());
                    }
                }
            }
        }
        if (removed == 0) {
            System.out.println("no VIP of the configured groups was on this node");
        }
        return 0;
    }
}
