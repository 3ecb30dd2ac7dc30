package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.agent.status.GroupStatus;

/**
 * SIGHUP: an unchanged group keeps its state and VIP without a single transition, a changed group restarts, a new
 * one starts, a removed one releases its VIP, and a bad file is refused with the running configuration kept.
 */
@Tag("lab")
class ReloadIT {
    private static final Duration LIMIT = Duration.ofSeconds(15);

    private static String groups(String... blocks) {
        return "  groups {\n" + String.join("\n", blocks) + "\n  }";
    }

    private static String group(String name, int vrid, int priority, String vip) {
        return "    " + name + " { vrid = " + vrid + ", priority = " + priority + ", vips = [\"" + vip + "/24\"], advert-interval = 100ms }";
    }

    private static long transitions(LabAgent agent, String group) {
        return agent.group(group).map(g -> g.transitionCounts().values().stream().mapToLong(Long::longValue).sum()).orElse(-1L);
    }

    @Test
    void reloadKeepsUnchangedGroupsRestartsChangedOnesAndRefusesABadFile() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, groups(group("a", 51, 150, "192.0.2.100"), group("b", 52, 150, "192.0.2.101")));
            LabAgent n2 = c.agent(2, groups(group("a", 51, 100, "192.0.2.100"), group("b", 52, 100, "192.0.2.101"),
                    group("c", 53, 100, "192.0.2.102")));
            Await.until(LIMIT, "n1 MASTER of a and b", () -> n1.isMasterWithVips("a") && n1.isMasterWithVips("b"), c::diagnostics);
            long aTransitions = transitions(n1, "a");

            // b's priority drops below n2's; c is new (and outranks n2's c).
            n1.writeConfig(groups(group("a", 51, 150, "192.0.2.100"), group("b", 52, 50, "192.0.2.101"), group("c", 53, 150, "192.0.2.102")));
            n1.reload();
            Await.until(LIMIT, "b restarted on n1 at priority 50: n2 holds it; c started on n1",
                    () -> n2.isMasterWithVips("b") && n1.isMasterWithVips("c") && c.onlyHolderIs(c.hosts.get(1), "192.0.2.101"), c::diagnostics);
            assertTrue(n1.logText().contains("reload: restarted b, added c"), n1.logText());
            assertEquals(aTransitions, transitions(n1, "a"), "the unchanged group a had no transition");
            assertTrue(n1.isMasterWithVips("a") && c.onlyHolderIs(c.hosts.get(0), "192.0.2.100"), "a kept its VIP throughout");

            // A bad file: refused, everything stays.
            Files.writeString(n1.config(), "omlha { groups { a { vrid = 300 } } }\n");
            n1.reload();
            Await.until(LIMIT, "the bad file is refused", () -> n1.logText().contains("reload refused, the running configuration stays"),
                    c::diagnostics);
            assertTrue(n1.logText().contains("omlha.groups.a.vrid"), "the refusal names the key");
            Await.holds(Duration.ofSeconds(1), "n1 still MASTER of a and c", () -> n1.isMasterWithVips("a") && n1.isMasterWithVips("c"),
                    c::diagnostics);

            // a removed: n1 releases it (priority 0) and n2 takes it.
            n1.writeConfig(groups(group("b", 52, 50, "192.0.2.101"), group("c", 53, 150, "192.0.2.102")));
            n1.reload();
            Await.until(LIMIT, "n2 holds a after n1 dropped it", () -> n2.isMasterWithVips("a") && c.onlyHolderIs(c.hosts.get(1), "192.0.2.100"),
                    c::diagnostics);
            assertTrue(n1.group("a").isEmpty(), "a is gone from n1's status");
            GroupStatus cStatus = n1.group("c").orElseThrow();
            assertEquals("MASTER", cStatus.state());
        }
    }
    /**
     * 40 SIGHUPs in 4 seconds, the file alternating between two versions: group a (the same in both) never flaps, and the
     * daemon ends up running the last file. That file adds group c, which /metrics exports at once.
     */
    @Test
    void aStormOfReloadsNeverFlapsAnUnchangedGroupAndTheLastFileWins() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            String metrics = "  metrics.listen = \"192.0.2.11:9273\"\n";
            String fileA = metrics + groups(group("a", 51, 150, "192.0.2.100"), group("b", 52, 150, "192.0.2.101"));
            String fileB = metrics + groups(group("a", 51, 150, "192.0.2.100"), group("b", 52, 140, "192.0.2.101"),
                    group("c", 53, 150, "192.0.2.102"));
            LabAgent n1 = c.agent(1, fileA);
            c.agent(2, groups(group("a", 51, 100, "192.0.2.100"), group("b", 52, 100, "192.0.2.101"), group("c", 53, 100, "192.0.2.102")));
            Await.until(LIMIT, "n1 MASTER of a and b", () -> n1.isMasterWithVips("a") && n1.isMasterWithVips("b"), c::diagnostics);
            long aTransitions = transitions(n1, "a");
            int lostA = 0;
            for (int i = 0; i < 40; i++) {
                n1.writeConfig(i % 2 == 1 ? fileB : fileA); // the 40th, the last, is B
                n1.reload();
                Thread.sleep(100);
                lostA += c.onlyHolderIs(c.hosts.get(0), "192.0.2.100") ? 0 : 1;
            }
            Await.until(LIMIT, "n1 runs the last file: b at priority 140, c MASTER",
                    () -> n1.group("b").map(g -> g.priority() == 140).orElse(false) && n1.isMasterWithVips("c"), c::diagnostics);
            assertEquals(0, lostA, "a's VIP stayed on n1 at every look during the storm");
            assertEquals(aTransitions, transitions(n1, "a"), "the unchanged group a had no transition");
            assertTrue(n1.isMasterWithVips("a"), c.diagnostics());
            String m = c.scrapeMetrics("192.0.2.11");
            assertTrue(Pattern.compile("(?m)^omlha_group_state\\{group=\"c\",state=\"MASTER\"\\} 1\\.0$").matcher(m).find(),
                    "group c, added by the reload, is in /metrics at once\n" + m);
            assertTrue(Pattern.compile("(?m)^omlha_vip_attached\\{group=\"c\",vip=\"192\\.0\\.2\\.102/24\"\\} 1\\.0$").matcher(m).find(), m);
        }
    }
}
