package org.omnileads.omlha.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.ConfigLoader;
import org.omnileads.omlha.agent.policy.DatabaseId;
import org.omnileads.omlha.probes.AmiProbe;
import org.omnileads.omlha.probes.ExecProbe;
import org.omnileads.omlha.probes.HttpProbe;
import org.omnileads.omlha.probes.PostgresProbe;
import org.omnileads.omlha.probes.Probe;
import org.omnileads.omlha.probes.ProcessProbe;
import org.omnileads.omlha.probes.RedisProbe;
import org.omnileads.omlha.probes.SipOptionsProbe;
import org.omnileads.omlha.probes.TcpProbe;

/** From each type's spec, the probe of that type; a postgresql probe's peers as databases of their own. */
class ProbeFactoryTest {
    private static final String CONFIG = """
            omlha {
              interface = eth0
              groups { g { vrid = 51, vips = ["192.0.2.100/24"] } }
              probes {
                t { type = tcp, target = "127.0.0.1:80" }
                h { type = http, url = "http://127.0.0.1/" }
                e { type = exec, command = ["/bin/true"] }
                pg { type = postgresql, url = "jdbc:postgresql://127.0.0.1:5432/postgres", user = omlha,
                     peers = ["jdbc:postgresql://192.0.2.12:5432/postgres", "jdbc:postgresql://192.0.2.13:5433/postgres"] }
                r { type = redis, uri = "redis://127.0.0.1:6379" }
                s { type = sip-options, target = "127.0.0.1:5060" }
                a { type = ami, target = "127.0.0.1:5038", user = u, secret = s }
                p { type = process, pidfile = "/run/x.pid" }
              }
            }
            """;

    private static AgentConfig config() throws Exception {
        return ConfigLoader.parse(CONFIG, "agent.conf");
    }

    @Test
    void eachSpecBuildsTheProbeOfItsType() throws Exception {
        AgentConfig config = config();
        List<Class<? extends Probe>> expected = List.of(TcpProbe.class, HttpProbe.class, ExecProbe.class,
                PostgresProbe.class, RedisProbe.class, SipOptionsProbe.class, AmiProbe.class, ProcessProbe.class);
        for (int i = 0; i < expected.size(); i++) {
            try (Probe probe = ProbeFactory.create(config.probes().get(i))) {
                assertInstanceOf(expected.get(i), probe);
                assertEquals(config.probes().get(i).name(), probe.name());
            }
        }
    }

    @Test
    void peersAreDatabasesOfTheirProbeNamedByHostPort() throws Exception {
        AgentConfig config = config();
        List<DatabaseId> ids = List.of(DatabaseId.peer("pg", "192.0.2.12:5432"), DatabaseId.peer("pg", "192.0.2.13:5433"));

        assertEquals(ids, ProbeFactory.peerIds(config.probe("pg").orElseThrow()));
        List<ProbeFactory.Peer> peers = ProbeFactory.peers(config.probe("pg").orElseThrow());
        try {
            assertEquals(ids, peers.stream().map(ProbeFactory.Peer::id).toList());
            assertEquals(List.of("pg@192.0.2.12:5432", "pg@192.0.2.13:5433"), peers.stream().map(p -> p.probe().name()).toList());
        } finally {
            peers.forEach(p -> p.probe().close());
        }
        assertEquals(List.of(), ProbeFactory.peerIds(config.probe("t").orElseThrow()));
        assertEquals(List.of(), ProbeFactory.peers(config.probe("t").orElseThrow()));
    }

    @Test
    void theLocalDatabaseIsNamedByItsProbe() {
        assertEquals("pg", DatabaseId.local("pg").displayName());
        assertEquals("pg@192.0.2.12:5432", DatabaseId.peer("pg", "192.0.2.12:5432").displayName());
    }
}
