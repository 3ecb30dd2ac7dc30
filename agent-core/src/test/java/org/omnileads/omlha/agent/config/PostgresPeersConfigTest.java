package org.omnileads.omlha.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code peers} of a postgresql probe: the other nodes' databases, asked directly to tell a stale primary. */
class PostgresPeersConfigTest {
    private static String conf(String peers) {
        return "omlha {\n  interface = \"eth0\"\n  groups { rw { vrid = 61, vips = [\"192.0.2.65/24\"], follow = { probe = pg, role = primary } } }\n"
                + "  probes {\n    pg { type = postgresql, url = \"jdbc:postgresql://127.0.0.1:5432/postgres\", peers = " + peers + " }\n  }\n}\n";
    }

    @Test
    void peersAreJdbcUrls() throws Exception {
        AgentConfig config = ConfigLoader.parse(conf("[\"jdbc:postgresql://192.0.2.12:5432/postgres\"]"), "agent.conf");
        ProbeSpec.Postgres pg = assertInstanceOf(ProbeSpec.Postgres.class, config.probe("pg").orElseThrow().spec());
        assertEquals(List.of(new ProbeSpec.PeerDatabase("192.0.2.12:5432", "jdbc:postgresql://192.0.2.12:5432/postgres")), pg.peers());
    }

    @Test
    void aPeerThatIsNotAJdbcUrlIsNamedWithItsLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(conf("[\"192.0.2.12\"]"), "agent.conf"));
        assertTrue(e.getMessage().contains("agent.conf:5: omlha.probes.pg.peers") && e.getMessage().contains("expected a JDBC URL"),
                e.getMessage());
    }
}
