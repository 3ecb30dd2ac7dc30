package org.omnileads.omlha.agent.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One local service check ({@code omlha.probes.<name>}). A probe is up after {@code rise} successes in a row and
 * down after {@code fall} failures; each attempt gives up after {@code timeout}.
 *
 * <p>{@code settings} holds the keys of the probe's type, validated, with defaults filled in:
 * <ul>
 *   <li>{@code tcp}: target (String host:port)</li>
 *   <li>{@code http}: url (String http:// or https://), expect-status (Integer, default 200), tls-verify (Boolean, default true)</li>
 *   <li>{@code exec}: command (List&lt;String&gt;, argv, run without a shell)</li>
 *   <li>{@code postgresql}: url (String jdbc:postgresql://...), optional user, password (String), max-lag (Duration),
 *       max-lag-bytes (Long), peers (List&lt;String&gt; JDBC URLs of the other nodes, to tell a stale primary)</li>
 *   <li>{@code redis}: uri (String redis://, rediss://, redis-sentinel://, redis-socket://) and/or sentinels
 *       (List&lt;String&gt; host:port) with sentinel-master (String)</li>
 *   <li>{@code sip-options}: target (String host:port)</li>
 *   <li>{@code ami}: target (String host:port), user, secret (String)</li>
 *   <li>{@code process}: pidfile (String, absolute path)</li>
 * </ul>
 */
public record ProbeConfig(String name, String type, Duration interval, Duration timeout, int rise, int fall,
        Map<String, Object> settings) {

    public static final List<String> TYPES =
            List.of("tcp", "http", "exec", "postgresql", "redis", "sip-options", "ami", "process");

    public ProbeConfig {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** A setting of this probe's type, if set and of {@code type}. */
    public <T> Optional<T> setting(String key, Class<T> type) {
        Object value = settings.get(key);
        return type.isInstance(value) ? Optional.of(type.cast(value)) : Optional.empty();
    }
}
