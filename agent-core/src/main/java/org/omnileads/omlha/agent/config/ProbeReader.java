package org.omnileads.omlha.agent.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Reads {@code omlha.probes}: the timing keys every probe has, then its type's keys against an allow-list, into the
 * type's {@link ProbeSpec}.
 */
final class ProbeReader {
    static final List<String> COMMON_KEYS = List.of("type", "interval", "timeout", "rise", "fall");

    private static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    private static final Duration MAX_INTERVAL = Duration.ofHours(1);
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(1);

    /** The keys of each type, in the order they are read and error messages list them. */
    private static final Map<String, List<String>> KEYS = Map.of(
            "tcp", List.of("target"),
            "http", List.of("url", "expect-status", "tls-verify"),
            "exec", List.of("command"),
            "postgresql", List.of("url", "user", "password", "max-lag", "max-lag-bytes", "peers", "promotion-watch",
                    "promotion-watch-interval"),
            "redis", List.of("uri", "sentinel-master", "sentinels"),
            "sip-options", List.of("target"),
            "ami", List.of("target", "user", "secret"),
            "process", List.of("pidfile"));

    private ProbeReader() {
    }

    /** Every probe of {@code omlha.probes}, in file order; invalid ones too, best effort, so references to them resolve. */
    static List<ProbeConfig> readAll(ConfigNode probes) {
        List<ProbeConfig> all = new ArrayList<>();
        for (ConfigNode probe : probes.children()) {
            all.add(read(probe));
        }
        return all;
    }

    private static ProbeConfig read(ConfigNode probe) {
        AgentConfigReader.checkName(probe);
        probe.requireKey("type");
        String type = probe.string("type").orElse("");
        List<String> keys = KEYS.get(type);
        if (keys == null) {
            if (probe.has("type") && !type.isEmpty()) {
                probe.problem("type", "unknown probe type " + Values.quote(type) + " (expected one of: "
                        + String.join(", ", ProbeSpec.TYPES) + ")");
            }
        } else {
            List<String> allowed = new ArrayList<>(COMMON_KEYS);
            allowed.addAll(keys);
            probe.allowOnly(allowed);
        }

        Duration interval = probe.duration("interval", MIN_INTERVAL, MAX_INTERVAL).orElse(Duration.ofSeconds(1));
        Duration defaultTimeout = interval.compareTo(MAX_TIMEOUT) < 0 ? interval : MAX_TIMEOUT;
        Duration timeout = probe.duration("timeout").orElse(defaultTimeout);
        if (timeout.compareTo(Duration.ZERO) <= 0) {
            probe.problem("timeout", "must be more than 0, got " + Values.format(timeout));
        } else if (timeout.compareTo(interval) > 0) {
            probe.problem("timeout", "must not exceed interval " + Values.format(interval) + ", got "
                    + Values.format(timeout));
        }
        int rise = probe.integer("rise", 1, 100).orElse(1);
        int fall = probe.integer("fall", 1, 100).orElse(1);
        ProbeSpec spec = keys == null ? null : spec(probe, type);
        return new ProbeConfig(probe.name(), interval, timeout, rise, fall, spec);
    }

    /** The keys of a known {@code type}, each read (and reported) in the order of {@link #KEYS}. */
    private static ProbeSpec spec(ConfigNode p, String type) {
        switch (type) {
            case "tcp":
                return new ProbeSpec.Tcp(required(p, "target", ProbeReader::hostPort).orElse(""));
            case "http": {
                URI url = required(p, "url", ProbeReader::httpUrl).map(URI::create).orElse(URI.create(""));
                int expectStatus = p.integer("expect-status", 100, 599).orElse(ProbeSpec.Http.DEFAULT_EXPECT_STATUS);
                boolean tlsVerify = p.bool("tls-verify").orElse(true);
                return new ProbeSpec.Http(url, expectStatus, tlsVerify);
            }
            case "exec":
                return new ProbeSpec.Exec(required(p, "command", ProbeReader::argv).orElse(List.of()));
            case "postgresql": {
                String url = required(p, "url", ProbeReader::postgresUrl).orElse("");
                Optional<String> user = p.text("user");
                Optional<String> password = p.text("password");
                Optional<Duration> maxLag = p.duration("max-lag", Duration.ZERO, Duration.ofDays(1));
                Optional<Long> maxLagBytes = bytes(p, "max-lag-bytes");
                List<ProbeSpec.PeerDatabase> peers = postgresUrls(p, "peers").orElse(List.of()).stream()
                        .map(ProbeSpec.PeerDatabase::of).toList();
                Duration watch = p.duration("promotion-watch", Duration.ZERO, Duration.ofHours(1))
                        .orElse(ProbeSpec.Postgres.DEFAULT_PROMOTION_WATCH);
                Duration watchEvery = p.duration("promotion-watch-interval", Duration.ofMillis(5), Duration.ofSeconds(1))
                        .orElse(ProbeSpec.Postgres.DEFAULT_PROMOTION_WATCH_EVERY);
                return new ProbeSpec.Postgres(url, user, password, maxLag, maxLagBytes, peers, watch, watchEvery);
            }
            case "redis": {
                Optional<String> uri = redisUri(p, "uri");
                Optional<String> sentinelMaster = p.text("sentinel-master");
                List<String> sentinels = hostPorts(p, "sentinels").orElse(List.of());
                checkRedis(p);
                return new ProbeSpec.Redis(uri, sentinelMaster, sentinels);
            }
            case "sip-options":
                return new ProbeSpec.SipOptions(required(p, "target", ProbeReader::hostPort).orElse(""));
            case "ami": {
                String target = required(p, "target", ProbeReader::hostPort).orElse("");
                String user = required(p, "user", ConfigNode::text).orElse("");
                String secret = required(p, "secret", ConfigNode::text).orElse("");
                return new ProbeSpec.Ami(target, user, secret);
            }
            case "process":
                return new ProbeSpec.Process(Path.of(required(p, "pidfile", ProbeReader::absolutePath).orElse("")));
            default:
                throw new IllegalArgumentException("no keys for probe type " + type);
        }
    }

    /** Reports {@code key} as required when it is missing, then reads it. */
    private static <T> Optional<T> required(ConfigNode probe, String key, BiFunction<ConfigNode, String, Optional<T>> read) {
        probe.requireKey(key);
        return read.apply(probe, key);
    }

    private static Optional<String> hostPort(ConfigNode probe, String key) {
        return probe.string(key).filter(v -> check(probe, key, () -> Addresses.checkHostPort(v)));
    }

    private static Optional<String> httpUrl(ConfigNode probe, String key) {
        return probe.string(key).filter(v -> check(probe, key, () -> checkHttpUrl(v)));
    }

    private static Optional<String> postgresUrl(ConfigNode probe, String key) {
        return probe.string(key).filter(v -> check(probe, key, () -> checkPrefix(v,
                "a JDBC URL like jdbc:postgresql://127.0.0.1:5432/postgres", "jdbc:postgresql://")));
    }

    private static Optional<String> redisUri(ConfigNode probe, String key) {
        return probe.string(key).filter(v -> check(probe, key, () -> checkPrefix(v,
                "a Redis URI like redis://127.0.0.1:6379", "redis://", "rediss://", "redis-sentinel://",
                "redis-socket://")));
    }

    private static Optional<String> absolutePath(ConfigNode probe, String key) {
        return probe.string(key).filter(v -> check(probe, key, () -> checkAbsolutePath(v)));
    }

    private static Optional<Long> bytes(ConfigNode probe, String key) {
        return probe.bytes(key).filter(v -> {
            if (v < 0) {
                probe.problem(key, "must be 0 or more, got " + v);
            }
            return v >= 0;
        });
    }

    private static Optional<List<String>> argv(ConfigNode probe, String key) {
        Optional<List<ConfigNode.Element>> elements = probe.list(key);
        if (elements.isEmpty()) {
            return Optional.empty();
        }
        if (elements.get().isEmpty()) {
            probe.problem(key, "must not be empty: the program and its arguments, like [\"/usr/bin/check\", \"-q\"]");
            return Optional.empty();
        }
        List<String> argv = new ArrayList<>();
        for (ConfigNode.Element element : elements.get()) {
            Optional<String> arg = element.string();
            if (arg.isPresent() && element == elements.get().get(0) && arg.get().isBlank()) {
                element.problem("the program must not be empty");
            }
            arg.ifPresent(argv::add);
        }
        return argv.size() == elements.get().size() ? Optional.of(argv) : Optional.empty();
    }

    private static Optional<List<String>> hostPorts(ConfigNode probe, String key) {
        Optional<List<ConfigNode.Element>> elements = probe.list(key);
        if (elements.isEmpty()) {
            return Optional.empty();
        }
        if (elements.get().isEmpty()) {
            probe.problem(key, "must not be empty");
            return Optional.empty();
        }
        List<String> hostPorts = new ArrayList<>();
        for (ConfigNode.Element element : elements.get()) {
            element.string().ifPresent(text -> {
                try {
                    Addresses.checkHostPort(text);
                    hostPorts.add(text);
                } catch (IllegalArgumentException e) {
                    element.problem(e.getMessage());
                }
            });
        }
        return hostPorts.size() == elements.get().size() ? Optional.of(hostPorts) : Optional.empty();
    }

    /** The other database nodes of a cluster, asked directly so a stale primary can be told from the true one. */
    private static Optional<List<String>> postgresUrls(ConfigNode probe, String key) {
        Optional<List<ConfigNode.Element>> elements = probe.list(key);
        if (elements.isEmpty()) {
            return Optional.empty();
        }
        List<String> urls = new ArrayList<>();
        for (ConfigNode.Element element : elements.get()) {
            element.string().ifPresent(text -> {
                if (text.startsWith("jdbc:postgresql://")) {
                    urls.add(text);
                } else {
                    element.problem("expected a JDBC URL like jdbc:postgresql://192.0.2.12:5432/postgres, got " + Values.quote(text));
                }
            });
        }
        return urls.size() == elements.get().size() ? Optional.of(urls) : Optional.empty();
    }

    /** Redis through Sentinel needs both the sentinels and the master's name; a plain URI needs neither. */
    private static void checkRedis(ConfigNode probe) {
        boolean sentinels = probe.has("sentinels");
        boolean master = probe.has("sentinel-master");
        if (!probe.has("uri") && !sentinels) {
            probe.problem("uri", "required (or sentinels with sentinel-master)");
        }
        if (sentinels && !master) {
            probe.problem("sentinel-master", "required with sentinels");
        }
        if (master && !sentinels) {
            probe.problem("sentinels", "required with sentinel-master");
        }
    }

    private static boolean check(ConfigNode probe, String key, Runnable check) {
        try {
            check.run();
            return true;
        } catch (IllegalArgumentException e) {
            probe.problem(key, e.getMessage());
            return false;
        }
    }

    private static void checkHttpUrl(String text) {
        String expected = "expected an http:// or https:// URL, got " + Values.quote(text);
        if (!text.startsWith("http://") && !text.startsWith("https://")) {
            throw new IllegalArgumentException(expected);
        }
        try {
            if (new URI(text).getHost() == null) {
                throw new IllegalArgumentException(expected);
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(expected);
        }
    }

    private static void checkPrefix(String text, String expected, String... prefixes) {
        for (String prefix : prefixes) {
            if (text.startsWith(prefix) && text.length() > prefix.length()) {
                return;
            }
        }
        throw new IllegalArgumentException("expected " + expected + ", got " + Values.quote(text));
    }

    static void checkAbsolutePath(String text) {
        if (!text.startsWith("/") || text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("expected an absolute path, got " + Values.quote(text));
        }
    }
}
