package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.labservices.LabHaproxy;
import org.omnileads.omlha.labservices.LabKeepalived;
import org.omnileads.omlha.labservices.NamespaceHttpClient;

/**
 * Make-before-break as a caller sees it (CONTRACT.md, Handover): real HAProxy answers on both nodes, and a client
 * behind the VIP opens a new TCP connection every 10 ms with an ordinary 3 s timeout, so a SYN lost while nobody holds
 * the VIP costs its request the kernel's 1 s retransmission. A graceful stop and {@code maintenance on} fail no request
 * and lose no SYN, with the agent or real keepalived taking over. Maintenance survives a restart and a reload, an
 * untaken group exits 4 and stays, an unknown group exits 2 and changes nothing.
 */
@Tag("lab")
class HandoverIT {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final String FAST = "advert-interval = 100ms";
    /** A request that needed a SYN retransmission took at least the kernel's initial RTO (1 s); nothing else is that slow here. */
    private static final long RETRANSMITTED_NANOS = 900_000_000L;

    @Test
    void aGracefulStopHandsTheVipToAnAgentWithoutFailingOrDelayingARequest() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", FAST));
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", FAST));
            startHaproxy(c);
            Await.until(LIMIT, "n1 holds the VIP, n2 is BACKUP", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4)
                    && n2.group("web").map(g -> g.state().equals("BACKUP")).orElse(false), c::diagnostics);

            List<NamespaceHttpClient.Exchange> requests = duringClient(c, () -> assertEquals(0, n1.terminate(), n1.logText()));

            assertNoRequestFailedOrWaited(requests, "n1 stopped gracefully, n2 took over", c);
            assertTrue(requests.stream().anyMatch(e -> e.ok() && "n2".equals(e.body())), "n2 answered after the stop: " + requests.size());
            assertFalse(c.lab.holds(c.hosts.get(0), Cluster.VIP4), "the stopped agent left nothing behind");
            assertTrue(n1.logText().contains("handed over"), "the stop says how long the handover took\n" + n1.logText());
        }
    }

    @Test
    void aGracefulStopHandsTheVipToKeepalivedWithoutFailingOrDelayingARequest() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent agent = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", FAST));
            LabKeepalived keepalived = c.keepalived(2, LabKeepalived.instance("web", 51, 100, 3, "0.1", Cluster.VIP4 + "/24", ""));
            startHaproxy(c);
            Await.until(LIMIT, "the agent holds the VIP, keepalived is BACKUP", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4)
                    && keepalived.logTail().contains("Entering BACKUP STATE"), c::diagnostics);

            List<NamespaceHttpClient.Exchange> requests = duringClient(c, () -> assertEquals(0, agent.terminate(), agent.logText()));

            assertNoRequestFailedOrWaited(requests, "the agent stopped, keepalived took over", c, Taker.ADVERTS_FIRST);
            assertTrue(c.onlyHolderIs(c.hosts.get(1), Cluster.VIP4), c.diagnostics());
        }
    }

    @Test
    void theAgentTakesOverFromAStoppingKeepalivedAsBefore() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabKeepalived keepalived = c.keepalived(1, LabKeepalived.instance("web", 51, 150, 3, "0.1", Cluster.VIP4 + "/24", ""));
            LabAgent agent = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", FAST));
            Await.until(LIMIT, "keepalived holds the VIP, the agent follows it", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4)
                    && agent.group("web").map(g -> "192.0.2.11".equals(g.master())).orElse(false), c::diagnostics);

            keepalived.stop();
            Await.until(LIMIT, "the agent takes over on keepalived's priority-0 advert", () -> agent.isMasterWithVips("web"), c::diagnostics);
            String reason = agent.group("web").orElseThrow().transitions().stream().filter(t -> t.to().equals("MASTER"))
                    .reduce((a, b) -> b).orElseThrow().reason();
            assertTrue(reason.startsWith("priority 0 advert from 192.0.2.11"), reason);
        }
    }

    @Test
    void maintenanceHandsOverWithoutAGapSurvivesARestartAndAReloadAndOffTakesTheGroupBack() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            String n1Groups = Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", FAST);
            LabAgent n1 = c.agent(1, n1Groups);
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", FAST));
            startHaproxy(c);
            Await.until(LIMIT, "n1 holds the VIP", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4)
                    && n2.group("web").map(g -> g.state().equals("BACKUP")).orElse(false), c::diagnostics);

            LabAgent.CommandResult[] on = new LabAgent.CommandResult[1];
            List<NamespaceHttpClient.Exchange> requests = duringClient(c, () -> on[0] = n1.maintenance("on", "web"));
            assertEquals(0, on[0].exit(), on[0].out() + on[0].err());
            assertTrue(on[0].out().contains("web: handed over to 192.0.2.12"), "it says who took the group: " + on[0].out());
            assertNoRequestFailedOrWaited(requests, "maintenance on", c);
            assertTrue(c.onlyHolderIs(c.hosts.get(1), Cluster.VIP4), c.diagnostics());
            assertTrue(n1.group("web").orElseThrow().maintenance(), "status shows the mark");
            assertEquals(List.of("web"), Files.readAllLines(n1.stateDir().resolve("maintenance")).stream()
                    .filter(l -> !l.startsWith("#")).toList(), "the mark is in state-dir");

            assertEquals(0, n1.terminate(), n1.logText());
            n1.start();
            Await.until(LIMIT, "n1 restarted in maintenance: it follows n2 and does not preempt",
                    () -> n1.group("web").map(g -> g.maintenance() && g.state().equals("BACKUP") && "192.0.2.12".equals(g.master()))
                            .orElse(false), c::diagnostics);
            Await.holds(Duration.ofSeconds(1), "n2 keeps the VIP (n1 would preempt within 400 ms if it could)",
                    () -> c.onlyHolderIs(c.hosts.get(1), Cluster.VIP4), c::diagnostics);

            n1.writeConfig(n1Groups.replace("priority = 150", "priority = 160"));
            n1.reload();
            Await.until(LIMIT, "the reload restarted the group with its new priority",
                    () -> n1.group("web").map(g -> g.priority() == 160).orElse(false), c::diagnostics);
            Await.holds(Duration.ofSeconds(1), "still in maintenance after the reload", () -> c.onlyHolderIs(c.hosts.get(1), Cluster.VIP4)
                    && n1.group("web").map(g -> g.maintenance()).orElse(false), c::diagnostics);

            LabAgent.CommandResult[] off = new LabAgent.CommandResult[1];
            requests = duringClient(c, () -> {
                off[0] = n1.maintenance("off", "web");
                Await.until(LIMIT, "n1 takes the group back", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);
            });
            assertEquals(0, off[0].exit(), off[0].out() + off[0].err());
            assertTrue(off[0].out().contains("web: back in the election"), off[0].out());
            assertNoRequestFailedOrWaited(requests, "maintenance off, n1 preempted back", c);
            assertFalse(n1.group("web").orElseThrow().maintenance());
        }
    }

    @Test
    void maintenanceHandsOverToKeepalived() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent agent = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", FAST));
            LabKeepalived keepalived = c.keepalived(2, LabKeepalived.instance("web", 51, 100, 3, "0.1", Cluster.VIP4 + "/24", ""));
            startHaproxy(c);
            Await.until(LIMIT, "the agent holds the VIP", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4)
                    && keepalived.logTail().contains("Entering BACKUP STATE"), c::diagnostics);

            LabAgent.CommandResult[] on = new LabAgent.CommandResult[1];
            List<NamespaceHttpClient.Exchange> requests = duringClient(c, () -> on[0] = agent.maintenance("on"));
            assertEquals(0, on[0].exit(), on[0].out() + on[0].err());
            assertTrue(on[0].out().contains("web: handed over to 192.0.2.12"), on[0].out());
            assertNoRequestFailedOrWaited(requests, "maintenance on, keepalived took over", c, Taker.ADVERTS_FIRST);
        }
    }

    @Test
    void whenNobodyTakesTheGroupMaintenanceExits4AndTheGroupKeepsServing() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", FAST));
            Await.until(LIMIT, "n1 holds the VIP", () -> n1.isMasterWithVips("web"), c::diagnostics);

            LabAgent.CommandResult on = n1.maintenance("on", "web");
            assertEquals(4, on.exit(), on.out() + on.err());
            assertTrue(on.out().contains("web: NOT handed over"), on.out());
            assertTrue(n1.isMasterWithVips("web"), "the group stays here and keeps serving\n" + c.diagnostics());
            assertFalse(n1.group("web").orElseThrow().maintenance(), "no mark without a handover");

            LabAgent.CommandResult forced = n1.maintenance("on", "--force", "web");
            assertEquals(0, forced.exit(), forced.out() + forced.err());
            assertTrue(forced.out().contains("web: released without a taker"), forced.out());
            assertFalse(c.lab.holds(c.hosts.get(0), Cluster.VIP4), "--force released it\n" + c.diagnostics());
            assertTrue(n1.group("web").orElseThrow().maintenance());
        }
    }

    @Test
    void anUnknownGroupExits2NamesItAndChangesNothing() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", FAST));
            Await.until(LIMIT, "n1 holds the VIP", () -> n1.isMasterWithVips("web"), c::diagnostics);

            LabAgent.CommandResult on = n1.maintenance("on", "web", "pgsql");
            assertEquals(2, on.exit(), on.out() + on.err());
            assertTrue(on.err().contains("no group pgsql on this node"), on.err());
            assertTrue(n1.isMasterWithVips("web"), "web was named too, yet nothing changed\n" + c.diagnostics());
            assertFalse(n1.group("web").orElseThrow().maintenance());
            assertFalse(Files.exists(n1.stateDir().resolve("maintenance")), "no mark written");
        }
    }

    @Test
    void afterAFrozenMasterResumesTheClientsNeighbourEntryComesBackToIt() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", FAST));
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", FAST));
            Await.until(LIMIT, "n1 holds the VIP", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4)
                    && n2.group("web").map(g -> g.state().equals("BACKUP")).orElse(false), c::diagnostics);
            Await.until(LIMIT, "the client reaches the VIP on n1", () -> c.clientPings(Cluster.VIP4) && clientPointsAt(c, 0), c::diagnostics);

            c.lab.exec(c.hosts.get(0), "kill", "-STOP", Long.toString(n1.process().pid()));
            try {
                Await.until(LIMIT, "n2 takes over from the frozen n1", () -> c.holders(Cluster.VIP4).contains(c.hosts.get(1)), c::diagnostics);
                Await.until(LIMIT, "n2's gratuitous ARP moved the client", () -> clientPointsAt(c, 1), c::diagnostics);
            } finally {
                c.lab.exec(c.hosts.get(0), "kill", "-CONT", Long.toString(n1.process().pid()));
            }
            Await.until(LIMIT, "n1 resumes as the only holder", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);
            // n1 never left MASTER, so only its answer to n2's (lower) adverts can bring the client back before the
            // neighbour entry goes stale (tens of seconds), while n2 no longer holds the address.
            Await.until(Duration.ofSeconds(3), "the client's neighbour entry is n1's MAC again", () -> clientPointsAt(c, 0), c::diagnostics);
            assertTrue(c.clientPings(Cluster.VIP4), c.diagnostics());
        }
    }

    // ---- helpers ----

    /** Whether the client's neighbour entry for the VIP is host {@code index}'s MAC. */
    private static boolean clientPointsAt(Cluster c, int index) {
        try {
            return c.mac(c.hosts.get(index)).equals(c.clientNeighbour(Cluster.VIP4).orElse(""));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static void startHaproxy(Cluster c) throws Exception {
        new LabHaproxy(c.lab, c.hosts.get(0)).start();
        new LabHaproxy(c.lab, c.hosts.get(1)).start();
    }

    /**
     * Runs {@code action} while the client sends a request every 10 ms (3 s timeout), from 1 s before it to 1.5 s after;
     * returns those requests, each ended (answered, failed or timed out: the client keeps running 3.2 s longer).
     */
    static List<NamespaceHttpClient.Exchange> duringClient(Cluster c, Action action) throws Exception {
        InetSocketAddress vip = new InetSocketAddress(InetAddress.getByName(Cluster.VIP4), LabHaproxy.PORT);
        try (NamespaceHttpClient client = NamespaceHttpClient.start(c.client.namespace(), vip, "/", Duration.ofMillis(10),
                Duration.ofSeconds(3), Duration.ofSeconds(90))) {
            Thread.sleep(1_000);
            action.run();
            Thread.sleep(1_500);
            long windowEnd = System.nanoTime();
            Thread.sleep(3_200);
            return client.exchanges().stream().filter(e -> e.sentNanos() - windowEnd <= 0).toList();
        }
    }

    /**
     * No request failed or waited for a SYN retransmission, except one reset at the switch: a connection opened to the
     * old holder whose next segment reaches the new holder after its gratuitous ARP is reset by the new holder (a
     * capture shows the RST 25 us after the ARP). Whether a request is in flight at that instant is chance, more likely
     * on a loaded machine (bench/faults: 0 of 13 stops, 4-5 of 10 takeovers); no VRRP implementation avoids it without
     * connection-state sync, and make-before-break is not about it. A lost SYN, a refused connection or a timeout is.
     */
    static void assertNoRequestFailedOrWaited(List<NamespaceHttpClient.Exchange> requests, String what, Cluster c) {
        assertNoRequestFailedOrWaited(requests, what, c, Taker.ANNOUNCES_FIRST);
    }

    /** How the node that takes over orders its first advert and its gratuitous ARPs. */
    enum Taker {
        /** The agent: its ARPs go out before the advert that makes the old master release. */
        ANNOUNCES_FIRST,
        /**
         * keepalived sends its advert first (as RFC 5798 orders it). The agent handing over releases when it hears
         * that advert, and a SYN that leaves in the moment before keepalived's ARP reaches the client goes to the old
         * MAC and waits for its retransmission (1 of 3 full runs here saw one). At most one such request is let
         * through; the known gap is in the README (handover to keepalived).
         */
        ADVERTS_FIRST
    }

    static void assertNoRequestFailedOrWaited(List<NamespaceHttpClient.Exchange> requests, String what, Cluster c, Taker taker) {
        assertTrue(requests.size() > 200, what + ": the client ran (" + requests.size() + " requests)");
        List<NamespaceHttpClient.Exchange> failed = requests.stream().filter(e -> !e.ok()).toList();
        List<NamespaceHttpClient.Exchange> resetAtTheSwitch = failed.stream()
                .filter(e -> e.failure() != null && e.failure().contains("Connection reset")).limit(1).toList();
        List<NamespaceHttpClient.Exchange> otherwise = failed.stream().filter(e -> !resetAtTheSwitch.contains(e)).toList();
        assertEquals(List.of(), otherwise, what + ": no request may fail (but one reset at the switch: " + resetAtTheSwitch + ")\n"
                + c.diagnostics());
        List<NamespaceHttpClient.Exchange> waited = requests.stream()
                .filter(e -> e.endedNanos() - e.sentNanos() >= RETRANSMITTED_NANOS).toList();
        if (taker == Taker.ADVERTS_FIRST && waited.size() == 1) {
            System.out.printf("HandoverIT: %s: one request waited for a SYN retransmission (the taker advertises before its ARPs)%n", what);
            return;
        }
        assertEquals(List.of(), waited, what + ": no request may wait for a SYN retransmission\n" + c.diagnostics());
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }
}
