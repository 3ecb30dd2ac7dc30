package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.labservices.LabKeepalived;

/**
 * One VRRP group shared by omlha-agent and real keepalived 2.2 (Debian's package), as during a migration:
 * the higher priority wins whichever implementation it is, and failover works both ways.
 */
@Tag("lab")
class KeepalivedInteropIT {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final String PASS = "oml2024";

    @Test
    void vrrpV3AgentMasterKeepalivedBackupAndBack() throws Exception {
        agentHigherThanKeepalived("version = 3, advert-interval = 100ms", 3, "0.1", "");
    }

    @Test
    void vrrpV3KeepalivedMasterAgentBackupAndBack() throws Exception {
        keepalivedHigherThanAgent("version = 3, advert-interval = 100ms", 3, "0.1", "");
    }

    @Test
    void vrrpV2WithPassAuthAgentMasterKeepalivedBackupAndBack() throws Exception {
        agentHigherThanKeepalived("version = 2, advert-interval = 1s, auth-pass = \"" + PASS + "\"", 2, "1",
                "  authentication {\n    auth_type PASS\n    auth_pass " + PASS + "\n  }\n");
    }

    @Test
    void vrrpV2WithPassAuthKeepalivedMasterAgentBackupAndBack() throws Exception {
        keepalivedHigherThanAgent("version = 2, advert-interval = 1s, auth-pass = \"" + PASS + "\"", 2, "1",
                "  authentication {\n    auth_type PASS\n    auth_pass " + PASS + "\n  }\n");
    }

    private void agentHigherThanKeepalived(String agentSettings, int version, String interval, String auth) throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabAgent agent = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", agentSettings));
            LabKeepalived keepalived = c.keepalived(2, LabKeepalived.instance("web", 51, 100, version, interval, Cluster.VIP4 + "/24", auth));
            Await.until(LIMIT, "the agent (150) holds the VIP, keepalived (100) does not",
                    () -> agent.isMasterWithVips("web") && c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);
            Await.until(LIMIT, "keepalived accepts the agent's adverts and stays BACKUP",
                    () -> keepalived.logTail().contains("Entering BACKUP STATE"), c::diagnostics);
            Await.holds(Duration.ofSeconds(1), "the agent keeps the VIP", () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);

            agent.kill();
            c.lab.setCable(c.hosts.get(0), false);
            Await.until(LIMIT, "keepalived takes over from the powered-off agent",
                    () -> c.holders(Cluster.VIP4).contains(c.hosts.get(1)), c::diagnostics);

            c.lab.exec(c.hosts.get(0), "ip", "addr", "flush", "dev", "eth0", "to", Cluster.VIP4 + "/32");
            c.lab.setCable(c.hosts.get(0), true);
            agent.start();
            Await.until(LIMIT, "the returning agent preempts keepalived",
                    () -> agent.isMasterWithVips("web") && c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4), c::diagnostics);
            assertFalse(keepalived.logTail().contains("bad checksum"), keepalived.logTail());
        }
    }

    private void keepalivedHigherThanAgent(String agentSettings, int version, String interval, String auth) throws Exception {
        try (Cluster c = Cluster.create(2)) {
            LabKeepalived keepalived = c.keepalived(1, LabKeepalived.instance("web", 51, 150, version, interval, Cluster.VIP4 + "/24", auth));
            LabAgent agent = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", agentSettings));
            Await.until(LIMIT, "keepalived (150) holds the VIP, the agent (100) is BACKUP",
                    () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4)
                            && agent.group("web").map(g -> g.state().equals("BACKUP") && "192.0.2.11".equals(g.master())).orElse(false),
                    c::diagnostics);

            keepalived.kill();
            c.lab.setCable(c.hosts.get(0), false);
            Await.until(LIMIT, "the agent takes over from the powered-off keepalived",
                    () -> agent.isMasterWithVips("web") && c.holders(Cluster.VIP4).contains(c.hosts.get(1)), c::diagnostics);

            c.lab.exec(c.hosts.get(0), "ip", "addr", "flush", "dev", "eth0", "to", Cluster.VIP4 + "/32");
            c.lab.setCable(c.hosts.get(0), true);
            keepalived.start(LabKeepalived.instance("web", 51, 150, version, interval, Cluster.VIP4 + "/24", auth));
            Await.until(LIMIT, "the returning keepalived preempts the agent",
                    () -> c.onlyHolderIs(c.hosts.get(0), Cluster.VIP4)
                            && agent.group("web").map(g -> g.state().equals("BACKUP") && !g.vipsAttached()).orElse(false),
                    c::diagnostics);
        }
    }
}
