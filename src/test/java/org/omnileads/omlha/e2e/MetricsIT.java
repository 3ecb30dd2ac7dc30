package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;

/** Prometheus scrapes {@code /metrics}: the contract's names and labels, with values that follow the cluster. */
@Tag("lab")
class MetricsIT {
    private static final Duration LIMIT = Duration.ofSeconds(15);

    private static boolean has(String metrics, String regex) {
        return Pattern.compile("(?m)^" + regex + "$").matcher(metrics).find();
    }

    @Test
    void theContractsMetricsFollowTheCluster() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            String probe = "  probes { svc { type = exec, command = [\"/bin/true\"], interval = 200ms } }\n";
            LabAgent n1 = c.agent(1, "  metrics.listen = \"192.0.2.11:9273\"\n" + probe
                    + Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", "advert-interval = 100ms, track = [{ probe = svc, weight = 0 }]"));
            c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", "advert-interval = 100ms"));
            Await.until(LIMIT, "n1 holds the VIP", () -> n1.isMasterWithVips("web"), c::diagnostics);
            String m = c.scrapeMetrics("192.0.2.11");
            assertTrue(m.startsWith("HTTP/1.1 200"), m);
            assertTrue(has(m, "omlha_group_state\\{group=\"web\",state=\"MASTER\"\\} 1\\.0"), m);
            assertTrue(has(m, "omlha_group_state\\{group=\"web\",state=\"BACKUP\"\\} 0\\.0"), m);
            assertTrue(has(m, "omlha_group_priority\\{group=\"web\"\\} 150\\.0"), m);
            assertTrue(has(m, "omlha_group_transitions_total\\{group=\"web\",to=\"MASTER\"\\} 1\\.0"), m);
            assertTrue(has(m, "omlha_vrrp_adverts_sent_total\\{group=\"web\"\\} [1-9][0-9]*\\.0"), m);
            assertTrue(has(m, "omlha_vrrp_adverts_received_total\\{group=\"web\"\\} [0-9]+\\.0"), m);
            assertTrue(has(m, "omlha_vrrp_packets_dropped_total\\{reason=\"bad_checksum\"\\} 0\\.0"), m);
            assertTrue(has(m, "omlha_vip_attached\\{group=\"web\",vip=\"192\\.0\\.2\\.100/24\"\\} 1\\.0"), m);
            assertTrue(has(m, "omlha_probe_up\\{probe=\"svc\"\\} 1\\.0"), m);
            assertTrue(has(m, "omlha_probe_duration_seconds\\{probe=\"svc\"\\} [0-9.E-]+"), m);
            assertTrue(m.contains("jvm_memory_used_bytes") && m.contains("process_cpu_usage"), "JVM and process metrics");
            assertTrue(has(m, "omlha_group_maintenance\\{group=\"web\"\\} 0\\.0"), m);

            org.junit.jupiter.api.Assertions.assertEquals(0, n1.maintenance("on", "web").exit());
            String after = c.scrapeMetrics("192.0.2.11");
            assertTrue(has(after, "omlha_group_maintenance\\{group=\"web\"\\} 1\\.0"), after);
            assertTrue(has(after, "omlha_group_state\\{group=\"web\",state=\"BACKUP\"\\} 1\\.0"), after);
            assertTrue(has(after, "omlha_vip_attached\\{group=\"web\",vip=\"192\\.0\\.2\\.100/24\"\\} 0\\.0"), after);
        }
    }
}
