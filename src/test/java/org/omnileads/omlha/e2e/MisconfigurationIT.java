package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;

/**
 * What tenants sharing a network run into: a second cluster on our VRID, a mismatched password. Each is
 * logged (rate-limited) and counted, and the operator sees it in status.
 */
@Tag("lab")
class MisconfigurationIT {
    private static final Duration LIMIT = Duration.ofSeconds(15);

    @Test
    void anAdvertWithOtherAddressesIsLoggedAndCounted() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, "192.0.2.100/24", "advert-interval = 100ms"));
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, "192.0.2.101/24", "advert-interval = 100ms"));
            Await.until(LIMIT, "n2 counts the mismatching adverts of n1",
                    () -> n2.group("web").map(g -> g.configMismatches() > 5).orElse(false), c::diagnostics);
            assertTrue(n2.logText().contains("another cluster on this VRID, or a config mismatch"), n2.logText());
            long warnings = n2.logText().lines().filter(l -> l.contains("config mismatch")).count();
            assertTrue(warnings <= 2, "rate-limited: " + warnings + " warnings for dozens of adverts\n" + n2.logText());
            assertTrue(n1.isMasterWithVips("web"), "the advert still counts for the election, as keepalived does");
        }
    }

    @Test
    void aWrongPasswordIsDroppedCountedAndBothBecomeMaster() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", "version = 2, auth-pass = \"right\""));
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", "version = 2, auth-pass = \"wrong\""));
            Await.until(LIMIT, "n2 drops n1's adverts as auth_mismatch",
                    () -> n2.status().map(s -> s.packetsDropped().getOrDefault("auth_mismatch", 0L) > 2).orElse(false), c::diagnostics);
            assertTrue(n2.logText().contains("dropped advert from 192.0.2.11"), n2.logText());
            Await.until(LIMIT, "n2, hearing no valid advert, is MASTER too (the split brain the log warns of)",
                    () -> n2.isMasterWithVips("web"), c::diagnostics);
        }
    }

    @Test
    void aSecondAgentOnTheSameControlSocketRefusesToStartAndTouchesNothing() throws Exception {
        try (Cluster c = Cluster.create(1)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", "advert-interval = 100ms"));
            Await.until(LIMIT, "n1 holds the VIP", () -> n1.isMasterWithVips("web"), c::diagnostics);
            java.nio.file.Path log = c.lab.workDir().resolve("second.log");
            java.util.List<String> command = new java.util.ArrayList<>(Cluster.launcher());
            command.addAll(java.util.List.of("run", "-c", n1.config().toString()));
            Process second = c.lab.start(c.hosts.get(0), command, log);
            org.junit.jupiter.api.Assertions.assertTrue(second.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the second agent exits");
            org.junit.jupiter.api.Assertions.assertEquals(1, second.exitValue());
            String text = java.nio.file.Files.readString(log);
            assertTrue(text.contains("another omlha-agent (pid " + n1.process().pid() + ") already runs"), text);
            Await.holds(Duration.ofSeconds(1), "n1 keeps its VIP and answers status",
                    () -> n1.isMasterWithVips("web") && c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);
        }
    }
}
