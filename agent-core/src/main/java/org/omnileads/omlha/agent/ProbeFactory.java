package org.omnileads.omlha.agent;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.omnileads.omlha.agent.config.ProbeConfig;
import org.omnileads.omlha.probes.AmiProbe;
import org.omnileads.omlha.probes.ExecProbe;
import org.omnileads.omlha.probes.HttpProbe;
import org.omnileads.omlha.probes.PostgresProbe;
import org.omnileads.omlha.probes.Probe;
import org.omnileads.omlha.probes.ProcessProbe;
import org.omnileads.omlha.probes.RedisProbe;
import org.omnileads.omlha.probes.SipOptionsProbe;
import org.omnileads.omlha.probes.TcpProbe;

/** Builds the probe a validated {@code omlha.probes.<name>} entry describes (settings documented on {@link ProbeConfig}). */
final class ProbeFactory {
    private ProbeFactory() {}

    static Probe create(ProbeConfig config) {
        String name = config.name();
        Duration timeout = config.timeout();
        return switch (config.type()) {
            case "tcp" -> new TcpProbe(name, text(config, "target"), timeout);
            case "http" -> new HttpProbe(name, URI.create(text(config, "url")),
                    config.setting("expect-status", Integer.class).orElse(200),
                    config.setting("tls-verify", Boolean.class).orElse(true), timeout);
            case "exec" -> new ExecProbe(name, strings(config, "command"), timeout);
            case "postgresql" -> new PostgresProbe(name, text(config, "url"), config.setting("user", String.class).orElse(null),
                    config.setting("password", String.class).orElse(null), timeout,
                    config.setting("max-lag-bytes", Long.class).orElse(null), config.setting("max-lag", Duration.class).orElse(null));
            case "redis" -> new RedisProbe(name, config.setting("uri", String.class).orElse(null),
                    config.setting("sentinel-master", String.class).orElse(null), strings(config, "sentinels"), timeout);
            case "sip-options" -> new SipOptionsProbe(name, text(config, "target"), timeout);
            case "ami" -> new AmiProbe(name, text(config, "target"), config.setting("user", String.class).orElse(""),
                    config.setting("secret", String.class).orElse(""), timeout);
            case "process" -> new ProcessProbe(name, Path.of(text(config, "pidfile")), timeout);
            default -> throw new IllegalArgumentException("probe " + name + ": unknown type " + config.type());
        };
    }

    /** A postgresql probe's peers ({@code peers = [jdbc urls]}), each probed as {@code <probe>@<host>}. */
    static List<Probe> peers(ProbeConfig config) {
        List<String> urls = strings(config, "peers");
        List<String> names = peerNames(config);
        List<Probe> peers = new java.util.ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            peers.add(new PostgresProbe(names.get(i), urls.get(i), config.setting("user", String.class).orElse(null),
                    config.setting("password", String.class).orElse(null), config.timeout(), null, null));
        }
        return peers;
    }

    static List<String> peerNames(ProbeConfig config) {
        if (!config.type().equals("postgresql")) {
            return List.of();
        }
        return strings(config, "peers").stream().map(url -> config.name() + "@" + hostOf(url)).toList();
    }

    /** {@code jdbc:postgresql://192.0.2.12:5432/postgres} -> {@code 192.0.2.12:5432}. */
    private static String hostOf(String jdbcUrl) {
        String rest = jdbcUrl.substring("jdbc:postgresql://".length());
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    private static String text(ProbeConfig config, String key) {
        return config.setting(key, String.class)
                .orElseThrow(() -> new IllegalArgumentException("probe " + config.name() + ": " + key + " is required"));
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(ProbeConfig config, String key) {
        return config.setting(key, List.class).map(list -> (List<String>) list).orElse(List.of());
    }
}
