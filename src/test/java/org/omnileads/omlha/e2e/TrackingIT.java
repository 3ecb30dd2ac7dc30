package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;

/**
 * Tracked probes move the VIP: weight 0 puts the group in FAULT while the probe is down (priority-0 advert, VIP
 * released at once); a negative weight lowers the priority below the backup's, which then preempts. The probe is an
 * exec check of a flag file, the simplest service a test can kill and revive.
 */
@Tag("lab")
class TrackingIT {
    private static final Duration LIMIT = Duration.ofSeconds(15);

    private static String groupTracking(int priority, Path flag, int weight) {
        return "  probes { svc { type = exec, command = [\"/usr/bin/test\", \"-e\", \"" + flag + "\"], interval = 200ms, timeout = 150ms } }\n"
                + "  groups { web { vrid = 51, priority = " + priority + ", vips = [\"" + Cluster.VIP4 + "/24\"], advert-interval = 100ms,"
                + " track = [{ probe = svc, weight = " + weight + " }] } }";
    }

    @Test
    void weightZeroFaultsTheMasterWhileItsServiceIsDownAndItTakesTheVipBackAfter() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            Path flag1 = Files.createFile(c.lab.workDir().resolve("n1.up"));
            Path flag2 = Files.createFile(c.lab.workDir().resolve("n2.up"));
            LabAgent n1 = c.agent(1, groupTracking(150, flag1, 0));
            LabAgent n2 = c.agent(2, groupTracking(100, flag2, 0));
            Await.until(LIMIT, "n1 holds the VIP", () -> n1.isMasterWithVips("web") && c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);

            Files.delete(flag1);
            Await.until(LIMIT, "n1 in FAULT without the VIP, n2 MASTER",
                    () -> n1.group("web").map(g -> g.state().equals("FAULT") && !g.vipsAttached()).orElse(false)
                            && n2.isMasterWithVips("web"), c::diagnostics);
            assertTrue(n1.logText().contains("probe svc: DOWN"), n1.logText());
            var probe = n1.status().orElseThrow().probes().get(0);
            assertEquals("svc", probe.name());
            assertTrue(!probe.up() && probe.lastError() != null, "status says why: " + probe);

            Files.createFile(flag1);
            Await.until(LIMIT, "n1 back, takes the VIP back", () -> n1.isMasterWithVips("web") && c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4),
                    c::diagnostics);
        }
    }

    @Test
    void aNegativeWeightLetsTheBackupPreempt() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            Path flag1 = Files.createFile(c.lab.workDir().resolve("n1.up"));
            Path flag2 = Files.createFile(c.lab.workDir().resolve("n2.up"));
            LabAgent n1 = c.agent(1, groupTracking(150, flag1, -60));
            LabAgent n2 = c.agent(2, groupTracking(100, flag2, -60));
            Await.until(LIMIT, "n1 holds the VIP", () -> n1.isMasterWithVips("web"), c::diagnostics);

            Files.delete(flag1);
            Await.until(LIMIT, "n1's priority falls to 90 and n2 (100) preempts",
                    () -> n2.isMasterWithVips("web") && n1.group("web").map(g -> g.state().equals("BACKUP") && g.effectivePriority() == 90).orElse(false),
                    c::diagnostics);
        }
    }
}
