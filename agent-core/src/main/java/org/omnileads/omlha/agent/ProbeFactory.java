package org.omnileads.omlha.agent;

import java.time.Duration;
import java.util.List;
import org.omnileads.omlha.agent.config.ProbeConfig;
import org.omnileads.omlha.agent.config.ProbeSpec;
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

/** Builds the probe a validated {@code omlha.probes.<name>} entry describes (its {@link ProbeSpec}). */
final class ProbeFactory {
    private ProbeFactory() {}

    /** A peer database of a postgresql probe and the probe that asks it. */
    record Peer(DatabaseId id, Probe probe) {}

    static Probe create(ProbeConfig config) {
        String name = config.name();
        Duration timeout = config.timeout();
        return config.spec().match(new ProbeSpec.Cases<Probe>() {
            @Override
            public Probe tcp(ProbeSpec.Tcp tcp) {
                return new TcpProbe(name, tcp.target(), timeout);
            }

            @Override
            public Probe http(ProbeSpec.Http http) {
                return new HttpProbe(name, http.url(), http.expectStatus(), http.tlsVerify(), timeout);
            }

            @Override
            public Probe exec(ProbeSpec.Exec exec) {
                return new ExecProbe(name, exec.command(), timeout);
            }

            @Override
            public Probe postgres(ProbeSpec.Postgres pg) {
                return new PostgresProbe(name, pg.url(), pg.user().orElse(null), pg.password().orElse(null), timeout,
                        pg.maxLagBytes().orElse(null), pg.maxLag().orElse(null));
            }

            @Override
            public Probe redis(ProbeSpec.Redis redis) {
                return new RedisProbe(name, redis.uri().orElse(null), redis.sentinelMaster().orElse(null),
                        redis.sentinels(), timeout);
            }

            @Override
            public Probe sipOptions(ProbeSpec.SipOptions sip) {
                return new SipOptionsProbe(name, sip.target(), timeout);
            }

            @Override
            public Probe ami(ProbeSpec.Ami ami) {
                return new AmiProbe(name, ami.target(), ami.user(), ami.secret(), timeout);
            }

            @Override
            public Probe process(ProbeSpec.Process process) {
                return new ProcessProbe(name, process.pidfile(), timeout);
            }
        });
    }

    /** A postgresql probe's peers ({@code peers = [jdbc urls]}), each probed as {@code <probe>@<host:port>}. */
    static List<Peer> peers(ProbeConfig config) {
        if (!(config.spec() instanceof ProbeSpec.Postgres pg)) {
            return List.of();
        }
        return pg.peers().stream().map(peer -> {
            DatabaseId id = DatabaseId.peer(config.name(), peer.hostPort());
            return new Peer(id, new PostgresProbe(id.displayName(), peer.jdbcUrl(), pg.user().orElse(null),
                    pg.password().orElse(null), config.timeout(), null, null));
        }).toList();
    }

    /** The databases of a postgresql probe's peers, in configuration order; none for other probes. */
    static List<DatabaseId> peerIds(ProbeConfig config) {
        if (!(config.spec() instanceof ProbeSpec.Postgres pg)) {
            return List.of();
        }
        return pg.peers().stream().map(peer -> DatabaseId.peer(config.name(), peer.hostPort())).toList();
    }
}
