package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;

/** keepalived's vrrp_sync_group: when one member fails, the whole sync group moves to the other node, and back. */
@Tag("lab")
class SyncGroupIT {
    private static final Duration LIMIT = Duration.ofSeconds(15);

    private static String config(int priority, Path flag) {
        return "  probes { svc { type = exec, command = [\"/usr/bin/test\", \"-e\", \"" + flag + "\"], interval = 200ms, timeout = 150ms } }\n"
                + "  sync-groups { omni = [a, b] }\n"
                + "  groups {\n"
                + "    a { vrid = 51, priority = " + priority + ", vips = [\"192.0.2.100/24\"], advert-interval = 100ms }\n"
                + "    b { vrid = 52, priority = " + priority + ", vips = [\"192.0.2.101/24\"], advert-interval = 100ms,"
                + " track = [{ probe = svc, weight = 0 }] }\n"
                + "  }";
    }

    @Test
    void oneMemberFailingMovesTheWholeSyncGroup() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            Path flag1 = Files.createFile(c.lab.workDir().resolve("n1.up"));
            Path flag2 = Files.createFile(c.lab.workDir().resolve("n2.up"));
            LabAgent n1 = c.agent(1, config(150, flag1));
            LabAgent n2 = c.agent(2, config(100, flag2));
            Await.until(LIMIT, "n1 MASTER of a and b", () -> n1.isMasterWithVips("a") && n1.isMasterWithVips("b"), c::diagnostics);

            Files.delete(flag1); // b's service dies on n1: a must follow b
            Await.until(LIMIT, "n2 holds both VIPs, n1 has both groups in FAULT",
                    () -> n2.isMasterWithVips("a") && n2.isMasterWithVips("b")
                            && n1.group("a").map(g -> g.state().equals("FAULT")).orElse(false)
                            && n1.group("b").map(g -> g.state().equals("FAULT")).orElse(false), c::diagnostics);
            assertTrue(n1.group("a").orElseThrow().transitions().stream().anyMatch(t -> t.reason().contains("sync group omni: b in FAULT")),
                    "a says why it followed b");

            Files.createFile(flag1);
            Await.until(LIMIT, "both back on n1", () -> n1.isMasterWithVips("a") && n1.isMasterWithVips("b")
                    && c.onlyHolderIs(c.hosts.get(0), "192.0.2.100") && c.onlyHolderIs(c.hosts.get(0), "192.0.2.101"), c::diagnostics);
        }
    }
}
