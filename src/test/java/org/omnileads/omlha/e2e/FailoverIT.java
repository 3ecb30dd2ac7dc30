package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;

/**
 * The master fails in each way a node fails (power cut, SIGKILL, SIGTERM); the right backup takes the VIP and
 * answers the client; the old master returns and preempts back (or not, with preempt off). Adverts every 100 ms.
 */
@Tag("lab")
class FailoverIT {
    private static final Duration LIMIT = Duration.ofSeconds(15);
    private static final String WEB = "advert-interval = 100ms";

    @Test
    void powerCutMovesTheVipToTheNextPriorityAndItAnswersArpAndPing() throws Exception {
        try (Cluster c = Cluster.create(3)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", WEB));
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", WEB));
            c.agent(3, Cluster.group("web", 51, 50, Cluster.VIP4 + "/24", WEB));
            Await.until(LIMIT, "n1 holds the VIP", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);
            assertTrue(c.clientPings(Cluster.VIP4), c.diagnostics());

            n1.kill();
            c.lab.setCable(c.hosts.get(0), false);

            Await.until(LIMIT, "n2 (the next priority) is MASTER with the VIP", () -> n2.isMasterWithVips("web"), c::diagnostics);
            assertFalse(c.lab.holds(c.hosts.get(2), Cluster.VIP4), "n3 must not take it\n" + c.diagnostics());
            Await.until(LIMIT, "the client pings the VIP, now on n2", () -> c.clientPings(Cluster.VIP4), c::diagnostics);
            assertEquals(c.mac(c.hosts.get(1)), c.clientNeighbour(Cluster.VIP4).orElse("none"),
                    "the gratuitous ARP moved the client's entry to n2's MAC\n" + c.diagnostics());
        }
    }

    @Test
    void sigkillLeavesAStaleVipThatTheRestartCleansBeforePreemptingBack() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", WEB));
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", WEB));
            Await.until(LIMIT, "n1 holds the VIP", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);

            n1.kill();
            Await.until(LIMIT, "n2 takes over from the killed n1", () -> n2.isMasterWithVips("web"), c::diagnostics);
            assertTrue(c.lab.holds(c.hosts.get(0), Cluster.VIP4), "SIGKILL left the VIP on n1 (the case the restart must clean)");

            n1.start();
            Await.until(LIMIT, "n1 restarted, cleaned the stale VIP and preempted back",
                    () -> n1.isMasterWithVips("web") && c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);
            assertTrue(n1.logText().contains("removed stale VIP " + Cluster.VIP4), n1.logText());
            Await.until(LIMIT, "n2 back to BACKUP without the VIP",
                    () -> n2.group("web").map(g -> g.state().equals("BACKUP") && !g.vipsAttached()).orElse(false), c::diagnostics);
        }
    }

    @Test
    void releaseVipsRemovesWhatAKilledAgentLeftAndIsHarmlessAfterwards() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", WEB));
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", WEB));
            Await.until(LIMIT, "n1 holds the VIP", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);
            n1.kill();
            assertTrue(c.lab.holds(c.hosts.get(0), Cluster.VIP4), "SIGKILL left the VIP on n1");

            List<String> release = new ArrayList<>(Cluster.launcher());
            release.addAll(List.of("release-vips", "-c", n1.config().toString()));
            String first = c.lab.exec(c.hosts.get(0), release.toArray(String[]::new));
            assertTrue(first.contains("group web: removed " + Cluster.VIP4 + "/24 from eth0"), first);
            assertFalse(c.lab.holds(c.hosts.get(0), Cluster.VIP4), "the killed agent's VIP is gone\n" + c.diagnostics());
            Await.until(LIMIT, "n2 serves the VIP alone", () -> n2.isMasterWithVips("web") && c.onlyHolderIs(c.hosts.get(1), Cluster.VIP4),
                    c::diagnostics);

            String second = c.lab.exec(c.hosts.get(0), release.toArray(String[]::new));
            assertTrue(second.contains("no VIP of the configured groups was on this node"), second);
            assertTrue(c.onlyHolderIs(c.hosts.get(1), Cluster.VIP4), "n2's VIP is untouched: only this node's interfaces are");
        }
    }

    @Test
    void underSystemdReleaseVipsRemovesTheDeadAgentsListedVipsWithoutAJvm() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", WEB));
            c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", WEB));
            Await.until(LIMIT, "n1 holds the VIP", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);
            assertTrue(java.nio.file.Files.readString(n1.stateDir().resolve("vips")).contains("eth0 " + Cluster.VIP4 + "/24"),
                    "the running agent lists its VIPs in state-dir");
            n1.kill();
            // The config file now names another VIP: the list, not the file, says what the dead agent held.
            n1.writeConfig(Cluster.group("web", 51, 150, "192.0.2.101/24", WEB));

            List<String> release = new ArrayList<>(List.of("env", "STATE_DIRECTORY=" + n1.stateDir(), "JAVA_HOME=/nonexistent"));
            release.addAll(Cluster.launcher());
            release.addAll(List.of("release-vips", "-c", n1.config().toString()));
            String out = c.lab.exec(c.hosts.get(0), release.toArray(String[]::new));
            assertTrue(out.contains("removed " + Cluster.VIP4 + "/24 from eth0"), "ip(8) removed it, no JVM (JAVA_HOME is bogus): " + out);
            assertFalse(c.lab.holds(c.hosts.get(0), Cluster.VIP4), c.diagnostics());
            String again = c.lab.exec(c.hosts.get(0), release.toArray(String[]::new));
            assertTrue(again.contains("no VIP of the last running agent was on this node"), again);
        }
    }

    @Test
    void sigtermSendsPriorityZeroReleasesTheVipAndExitsZero() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", "advert-interval = 1s"));
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", "advert-interval = 1s"));
            Await.until(LIMIT, "n1 holds the VIP", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);
            Await.until(LIMIT, "n2 is BACKUP", () -> n2.group("web").map(g -> g.state().equals("BACKUP")).orElse(false), c::diagnostics);

            assertEquals(0, n1.terminate(), "a graceful stop exits 0\n" + n1.logText());
            assertFalse(c.lab.holds(c.hosts.get(0), Cluster.VIP4), "the stopped agent released its VIP");
            Await.until(LIMIT, "n2 takes over", () -> n2.isMasterWithVips("web"), c::diagnostics);
            String reason = n2.group("web").orElseThrow().transitions().stream()
                    .filter(t -> t.to().equals("MASTER")).reduce((a, b) -> b).orElseThrow().reason();
            // With 1 s adverts a takeover by Master_Down_Interval (3.6 s) would say "master down timer"; priority 0
            // makes the backup wait only its skew time, and the router records that it heard it.
            assertTrue(reason.startsWith("priority 0 advert from 192.0.2.11"), "n2 took over on n1's resignation: " + reason);
        }
    }

    @Test
    void theOldMasterPreemptsBackWhenItReturns() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", WEB));
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", WEB));
            Await.until(LIMIT, "n1 holds the VIP", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);
            n1.kill();
            c.lab.setCable(c.hosts.get(0), false);
            Await.until(LIMIT, "n2 takes over", () -> n2.isMasterWithVips("web"), c::diagnostics);

            c.lab.setCable(c.hosts.get(0), true);
            n1.start();
            Await.until(LIMIT, "n1 takes the VIP back (preempt, the document's takeover)",
                    () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4) && n1.isMasterWithVips("web"), c::diagnostics);
            Await.until(LIMIT, "n2 released it", () -> !n2.isMasterWithVips("web"), c::diagnostics);
            assertTrue(c.clientPings(Cluster.VIP4), c.diagnostics());
        }
    }

    @Test
    void withPreemptOffTheReturningMasterStaysBackup() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            String noPreempt = WEB + ", preempt = false";
            // n1 first: with preempt off, whoever is MASTER first keeps the VIP, whatever the priorities.
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", noPreempt));
            Await.until(LIMIT, "n1 holds the VIP", () -> n1.isMasterWithVips("web"), c::diagnostics);
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", noPreempt));
            Await.until(LIMIT, "n2 is BACKUP", () -> n2.group("web").map(g -> g.state().equals("BACKUP")).orElse(false), c::diagnostics);
            n1.kill();
            c.lab.setCable(c.hosts.get(0), false);
            Await.until(LIMIT, "n2 takes over", () -> n2.isMasterWithVips("web"), c::diagnostics);

            c.lab.setCable(c.hosts.get(0), true);
            n1.start();
            Await.until(LIMIT, "n1 is back as BACKUP", () -> n1.group("web").map(g -> g.state().equals("BACKUP")).orElse(false), c::diagnostics);
            Await.holds(Duration.ofSeconds(2), "n2 keeps the VIP: preempt is off",
                    () -> c.onlyHolderIs(c.hosts.get(1), Cluster.VIP4), c::diagnostics);
        }
    }

    @Test
    void ipv6VipsMoveToo() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            String v6 = Cluster.VIP6 + "/64";
            LabAgent n1 = c.agent(1, Cluster.group("web6", 52, 150, v6, WEB));
            LabAgent n2 = c.agent(2, Cluster.group("web6", 52, 100, v6, WEB));
            Await.until(LIMIT, "n1 holds the IPv6 VIP", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP6), c::diagnostics);
            Await.until(LIMIT, "the client pings the IPv6 VIP", () -> c.clientPings(Cluster.VIP6), c::diagnostics);
            n1.kill();
            c.lab.setCable(c.hosts.get(0), false);
            Await.until(LIMIT, "n2 holds the IPv6 VIP", () -> n2.isMasterWithVips("web6"), c::diagnostics);
            Await.until(LIMIT, "the client pings the IPv6 VIP on n2", () -> c.clientPings(Cluster.VIP6), c::diagnostics);
            String flags = c.lab.exec(c.hosts.get(1), "ip", "-6", "addr", "show", "dev", "eth0");
            assertFalse(flags.contains("dadfailed") || flags.contains("tentative"), "the VIP is usable at once\n" + flags);
        }
    }

    @Test
    void nicDownPutsTheGroupInFaultAndReleasesTheVip() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", WEB));
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", WEB));
            Await.until(LIMIT, "n1 holds the VIP", () -> n1.isMasterWithVips("web"), c::diagnostics);
            c.lab.setNic(c.hosts.get(0), false);
            Await.until(LIMIT, "n1 in FAULT without the VIP",
                    () -> n1.group("web").map(g -> g.state().equals("FAULT") && !g.vipsAttached()).orElse(false), c::diagnostics);
            Await.until(LIMIT, "n2 takes over", () -> n2.isMasterWithVips("web"), c::diagnostics);
            c.lab.setNic(c.hosts.get(0), true);
            Await.until(LIMIT, "n1 back and preempting", () -> n1.isMasterWithVips("web") && c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4),
                    c::diagnostics);
        }
    }

    @Test
    void unicastPeersElectAndFailOverWithoutMulticast() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", WEB + ", unicast-peers = [\"192.0.2.12\"]"));
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", WEB + ", unicast-peers = [\"192.0.2.11\"]"));
            Await.until(LIMIT, "n1 MASTER, n2 BACKUP following it over unicast",
                    () -> n1.isMasterWithVips("web")
                            && n2.group("web").map(g -> g.state().equals("BACKUP") && "192.0.2.11".equals(g.master())).orElse(false),
                    c::diagnostics);
            n1.kill();
            c.lab.setCable(c.hosts.get(0), false);
            Await.until(LIMIT, "n2 takes over", () -> n2.isMasterWithVips("web"), c::diagnostics);
        }
    }

    @Test
    void theAddressOwnerIsMasterAtOnceAndAlwaysTakesTheVipBack() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", WEB + ", preempt = false"));
            Await.until(LIMIT, "n2 alone is MASTER", () -> n2.isMasterWithVips("web"), c::diagnostics);
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 255, Cluster.VIP4 + "/24", WEB));
            Await.until(LIMIT, "the owner (255) takes the VIP at once, whatever preempt says",
                    () -> n1.isMasterWithVips("web") && c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);
            String reason = n1.group("web").orElseThrow().transitions().get(0).reason();
            assertTrue(reason.contains("owner"), reason);
        }
    }

    @Test
    void aVipRemovedBehindTheMastersBackIsPutBack() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", WEB));
            c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", WEB));
            Await.until(LIMIT, "n1 holds the VIP", () -> n1.isMasterWithVips("web"), c::diagnostics);
            // What a networkd restart or an operator's `ip addr flush` does to a VIP.
            c.lab.exec(c.hosts.get(0), "ip", "addr", "del", Cluster.VIP4 + "/24", "dev", "eth0");
            Await.until(LIMIT, "n1 put the VIP back", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);
            assertTrue(n1.logText().contains("was removed from eth0 by something else"), n1.logText());
        }
    }
}
