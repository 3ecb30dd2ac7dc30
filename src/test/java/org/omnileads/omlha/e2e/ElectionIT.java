package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;

/** Real agents in network namespaces elect the highest priority (ties: the highest address). */
@Tag("lab")
class ElectionIT {
    private static final Duration ELECTION = Duration.ofSeconds(15);

    @Test
    void twoAgentsElectTheHigherPriority() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", "advert-interval = 100ms"));
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 200, Cluster.VIP4 + "/24", "advert-interval = 100ms"));
            Await.until(ELECTION, "n2 (priority 200) holds the VIP alone", () -> c.onlyHolderIs(c.hosts.get(1), Cluster.VIP4), c::diagnostics);
            Await.until(ELECTION, "n1 is BACKUP and knows n2 as master",
                    () -> n1.group("web").map(g -> g.state().equals("BACKUP") && "192.0.2.12".equals(g.master())).orElse(false), c::diagnostics);
            assertTrue(n2.isMasterWithVips("web"), c.diagnostics());
            assertTrue(c.clientPings(Cluster.VIP4), "the client reaches the VIP\n" + c.diagnostics());
            assertEquals(c.mac(c.hosts.get(1)), c.clientNeighbour(Cluster.VIP4).orElse("none"), "the client's ARP entry points at n2");
        }
    }

    @Test
    void threeAgentsElectTheHighestPriorityAndStayStable() throws Exception {
        try (Cluster c = Cluster.create(3)) {
            c.agent(1, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", "advert-interval = 100ms"));
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", "advert-interval = 100ms"));
            c.agent(3, Cluster.group("web", 51, 50, Cluster.VIP4 + "/24", "advert-interval = 100ms"));
            Await.until(ELECTION, "n2 (priority 150) holds the VIP alone", () -> c.onlyHolderIs(c.hosts.get(1), Cluster.VIP4), c::diagnostics);
            Await.holds(Duration.ofSeconds(2), "n2 keeps the VIP, nobody else takes it",
                    () -> c.onlyHolderIs(c.hosts.get(1), Cluster.VIP4) && n2.isMasterWithVips("web"), c::diagnostics);
            for (LabAgent agent : c.agents) {
                if (agent != n2) {
                    assertEquals("BACKUP", agent.group("web").orElseThrow().state(), c.diagnostics());
                }
            }
        }
    }

    @Test
    void twoMastersOfEqualPriorityResolveToTheHigherAddress() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", "advert-interval = 100ms"));
            Await.until(ELECTION, "n1 (started first) is MASTER", () -> n1.isMasterWithVips("web"), c::diagnostics);
            // n2 comes up partitioned from n1 (links up), so it elects itself too: two masters of equal priority.
            c.lab.setIsolated(c.hosts.get(0), true);
            c.lab.setIsolated(c.hosts.get(1), true);
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", "advert-interval = 100ms"));
            Await.until(ELECTION, "n2 is MASTER of its own segment", () -> n2.isMasterWithVips("web"), c::diagnostics);
            c.lab.setIsolated(c.hosts.get(1), false);
            Await.until(ELECTION, "the tie is broken for n2 (192.0.2.12, the higher address); n1 steps down",
                    () -> c.onlyHolderIs(c.hosts.get(1), Cluster.VIP4)
                            && n1.group("web").map(g -> g.state().equals("BACKUP")).orElse(false), c::diagnostics);
            Await.holds(Duration.ofSeconds(1), "n2 keeps it", () -> c.onlyHolderIs(c.hosts.get(1), Cluster.VIP4), c::diagnostics);
        }
    }
}
