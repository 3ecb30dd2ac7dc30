package org.omnileads.omlha.agent.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.ConfigLoader;

/** conf/*.conf at the repository root parse, and are what `init` writes for the document's sample variables. */
class ExampleConfsTest {
    static final Path CONF = Path.of("..", "conf");

    static Map<String, String> sample(String role) {
        return switch (role) {
            case "asterisk" -> NodeTemplateTest.asteriskMain();
            case "haproxy" -> Map.of("oml_ha_rol", "main", "oml_ha_vip", "172.16.20.84", "oml_ha_vip_nic", "eth0",
                    "oml_ha_tenant", "omnileads.example", "oml_ha_email", "notifications@domain.com");
            case "redis" -> Map.of("oml_ha_rol", "main", "oml_master_ip", "10.10.10.10", "oml_master_port", "6379",
                    "oml_ha_vip", "10.10.10.71", "oml_ha_vip_nic", "eth0",
                    "oml_ha_sentinels", "10.10.10.11,10.10.10.12,10.10.10.13");
            default -> NodeTemplateTest.postgresqlMain();
        };
    }

    static String hostname(String role) {
        return role.equals("postgresql") ? "pgsql-01" : role + "-01";
    }

    @ParameterizedTest
    @ValueSource(strings = {"asterisk", "haproxy", "postgresql", "redis"})
    void exampleParsesAndMatchesInit(String role) throws Exception {
        Path file = CONF.resolve(role + ".conf");
        AgentConfig config = ConfigLoader.load(file);
        assertEquals(role.equals("postgresql") ? 2 : 1, config.groups().size());
        assertEquals(NodeTemplate.render(NodeTemplate.Role.parse(role), sample(role), hostname(role)), Files.readString(file),
                "regenerate conf/" + role + ".conf with `omlha-agent init --from-env --role " + role + "`");
    }
}
