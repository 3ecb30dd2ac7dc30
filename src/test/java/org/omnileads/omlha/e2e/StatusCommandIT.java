package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;

/** {@code omlha-agent status} and {@code status --json} against running daemons, as an operator runs them. */
@Tag("lab")
class StatusCommandIT {
    private static final Duration LIMIT = Duration.ofSeconds(15);

    private static String status(LabAgent agent, String... options) throws Exception {
        List<String> command = new ArrayList<>(Cluster.launcher());
        command.add("status");
        command.addAll(List.of(options));
        command.addAll(List.of("--socket", agent.socket().toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), out);
        return out;
    }

    @Test
    void theTableAndTheJsonShowGroupsPeersProbesAndTransitions() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            String probe = "  probes { svc { type = exec, command = [\"/bin/true\"], interval = 200ms } }\n";
            LabAgent n1 = c.agent(1, probe + Cluster.group("web", 51, 150, Cluster.VIP4 + "/24",
                    "advert-interval = 100ms, track = [{ probe = svc, weight = -10 }]"));
            LabAgent n2 = c.agent(2, Cluster.group("web", 51, 100, Cluster.VIP4 + "/24", "advert-interval = 100ms"));
            Await.until(LIMIT, "n1 MASTER, n2 BACKUP", () -> n1.isMasterWithVips("web")
                    && n2.group("web").map(g -> g.state().equals("BACKUP")).orElse(false), c::diagnostics);

            String table = status(n2);
            assertTrue(table.contains("node n2"), table);
            assertTrue(table.matches("(?s).*web\\s+51 eth0\\s+BACKUP\\s+100 192\\.0\\.2\\.100/24\\s+no\\s+192\\.0\\.2\\.11 \\(prio 150\\).*"), table);
            assertTrue(table.contains("peer 192.0.2.11") && table.contains("INIT -> BACKUP: started"), table);

            JsonNode json = new ObjectMapper().readTree(status(n1, "--json"));
            JsonNode group = json.get("groups").get(0);
            assertEquals("MASTER", group.get("state").asText());
            assertEquals(150, group.get("effective_priority").asInt());
            assertTrue(group.get("vips_attached").asBoolean());
            assertEquals("svc", json.get("probes").get(0).get("name").asText());
            assertTrue(json.get("probes").get(0).get("up").asBoolean());

            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(n1.socket())), "mode 0660");
        }
    }
}
