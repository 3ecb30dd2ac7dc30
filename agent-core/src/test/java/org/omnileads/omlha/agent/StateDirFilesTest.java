package org.omnileads.omlha.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.ConfigLoader;

/** What the agent keeps in state-dir: the maintenance marks (read back at start) and the VIP list (read by the launcher). */
class StateDirFilesTest {

    @Test
    void maintenanceMarksSurviveAWriteAndAReadAndNoFileIsNoMark(@TempDir Path dir) throws Exception {
        MaintenanceStore store = new MaintenanceStore(dir.resolve("state"));
        assertEquals(Set.of(), store.read(), "no file yet: nothing in maintenance");
        store.write(Set.of("web", "asterisk"));
        assertEquals(Set.of("asterisk", "web"), store.read());
        assertEquals(List.of("asterisk", "web"), Files.readAllLines(store.file()).stream().filter(l -> !l.startsWith("#")).toList(),
                "sorted, one per line, under a comment that says how to end it");
        store.write(Set.of());
        assertEquals(Set.of(), store.read());
        assertFalse(Files.exists(store.file().resolveSibling("maintenance.tmp")), "written through a rename");
    }

    @Test
    void theVipListHasOneInterfaceAndAddressPerLineForTheLaunchersLoop(@TempDir Path dir) throws Exception {
        AgentConfig before = ConfigLoader.parse("""
                omlha {
                  interface = eth0
                  groups {
                    web { vrid = 51, priority = 100, vips = ["192.0.2.100/24", "192.0.2.102/24"] }
                    web6 { vrid = 53, priority = 100, vips = ["2001:db8::100/64"] }
                    db { vrid = 52, priority = 100, interface = eth1, vips = ["192.0.2.101/24"] }
                  }
                }
                """, "before.conf");
        AgentConfig after = ConfigLoader.parse("""
                omlha {
                  interface = eth0
                  groups { web { vrid = 51, priority = 100, vips = ["192.0.2.100/24"] } }
                }
                """, "after.conf");
        VipListFile list = new VipListFile(dir);
        list.write(VipListFile.lines(List.of(before, after)));
        assertEquals(List.of("eth0 192.0.2.100/24", "eth0 192.0.2.102/24", "eth0 2001:db8::100/64", "eth1 192.0.2.101/24"),
                Files.readAllLines(list.file()).stream().filter(l -> !l.startsWith("#")).toList(), "during a reload: both configs, each VIP once");
        list.write(VipListFile.lines(List.of(after)));
        assertEquals(List.of("eth0 192.0.2.100/24"), Files.readAllLines(list.file()).stream().filter(l -> !l.startsWith("#")).toList());
    }
}
