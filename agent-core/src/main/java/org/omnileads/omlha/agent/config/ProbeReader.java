package org.omnileads.omlha.agent.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads {@code omlha.probes}: the timing keys every probe has, then its type's settings against an allow-list. */
final class ProbeReader {
    static final List<String> COMMON_KEYS = List.of("type", "interval", "timeout", "rise", "fall");

    private static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    private static final Duration MAX_INTERVAL = Duration.ofHours(1);
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(1);

    private enum Kind { STRING, HOST_PORT, HTTP_URL, POSTGRES_URL, REDIS_URI, HTTP_STATUS, BOOLEAN, ARGV, DURATION, BYTES,
        ABSOLUTE_PATH, HOST_PORT_LIST, POSTGRES_URL_LIST }

    private record Setting(String key, Kind kind, boolean required, Object defaultValue) {
    }

    private static Setting required(String key, Kind kind) {
        return new Setting(key, kind, true, null);
    }

    private static Setting optional(String key, Kind kind) {
        return new Setting(key, kind, false, null);
    }

    private static Setting optional(String key, Kind kind, Object defaultValue) {
        return new Setting(key, kind, false, defaultValue);
    }

    private static final Map<String, List<Setting>> SETTINGS = Map.of(
            "tcp", List.of(required("target", Kind.HOST_PORT)),
            "http", List.of(required("url", Kind.HTTP_URL), optional("expect-status", Kind.HTTP_STATUS, 200),
                    optional("tls-verify", Kind.BOOLEAN, true)),
            "exec", List.of(required("command", Kind.ARGV)),
            "postgresql", List.of(required("url", Kind.POSTGRES_URL), optional("user", Kind.STRING),
                    optional("password", Kind.STRING), optional("max-lag", Kind.DURATION),
                    optional("max-lag-bytes", Kind.BYTES), optional("peers", Kind.POSTGRES_URL_LIST)),
            "redis", List.of(optional("uri", Kind.REDIS_URI), optional("sentinel-master", Kind.STRING),
                    optional("sentinels", Kind.HOST_PORT_LIST)),
            "sip-options", List.of(required("target", Kind.HOST_PORT)),
            "ami", List.of(required("target", Kind.HOST_PORT), required("user", Kind.STRING), required("secret", Kind.STRING)),
            "process", List.of(required("pidfile", Kind.ABSOLUTE_PATH)));

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
        List<Setting> settings = SETTINGS.get(type);
        if (settings == null) {
            if (probe.has("type") && !type.isEmpty()) {
                probe.problem("type", "unknown probe type " + Values.quote(type) + " (expected one of: "
                        + String.join(", ", ProbeConfig.TYPES) + ")");
            }
            settings = List.of();
        }
        List<String> allowed = new ArrayList<>(COMMON_KEYS);
        settings.forEach(s -> allowed.add(s.key()));
        if (SETTINGS.containsKey(type)) {
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

        Map<String, Object> values = new LinkedHashMap<>();
        for (Setting setting : settings) {
            if (setting.required()) {
                probe.requireKey(setting.key());
            }
            Optional<?> value = read(probe, setting);
            if (value.isPresent()) {
                values.put(setting.key(), value.get());
            } else if (setting.defaultValue() != null && !probe.has(setting.key())) {
                values.put(setting.key(), setting.defaultValue());
            }
        }
        if (type.equals("redis")) {
            checkRedis(probe);
        }
        return new ProbeConfig(probe.name(), type, interval, timeout, rise, fall, values);
    }

    private static Optional<?> read(ConfigNode probe, Setting setting) {
        String key = setting.key();
        return switch (setting.kind()) {
            case STRING -> probe.text(key);
            case HOST_PORT -> probe.string(key).filter(v -> check(probe, key, () -> Addresses.checkHostPort(v)));
            case HTTP_URL -> probe.string(key).filter(v -> check(probe, key, () -> checkHttpUrl(v)));
            case POSTGRES_URL -> probe.string(key).filter(v -> check(probe, key, () -> checkPrefix(v,
                    "a JDBC URL like jdbc:postgresql://127.0.0.1:5432/postgres", "jdbc:postgresql://")));
            case REDIS_URI -> probe.string(key).filter(v -> check(probe, key, () -> checkPrefix(v,
                    "a Redis URI like redis://127.0.0.1:6379", "redis://", "rediss://", "redis-sentinel://",
                    "redis-socket://")));
            case HTTP_STATUS -> probe.integer(key, 100, 599);
            case BOOLEAN -> probe.bool(key);
            case DURATION -> probe.duration(key, Duration.ZERO, Duration.ofDays(1));
            case BYTES -> probe.bytes(key).filter(v -> {
                if (v < 0) {
                    probe.problem(key, "must be 0 or more, got " + v);
                }
                return v >= 0;
            });
            case ABSOLUTE_PATH -> probe.string(key).filter(v -> check(probe, key, () -> checkAbsolutePath(v)));
            case ARGV -> argv(probe, key);
            case HOST_PORT_LIST -> hostPorts(probe, key);
            case POSTGRES_URL_LIST -> postgresUrls(probe, key);
        };
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
