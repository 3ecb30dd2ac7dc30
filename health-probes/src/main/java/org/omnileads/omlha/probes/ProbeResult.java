package org.omnileads.omlha.probes;

import java.util.Map;
import java.util.Objects;

/**
 * What one check of a local service found: up or down, how long the check took, why it is down (or what it saw,
 * when up), and facts a policy may use (a PostgreSQL probe reports {@code role}, {@code timeline}, {@code lag_bytes}).
 */
public record ProbeResult(boolean up, long durationNanos, String detail, Map<String, String> facts) {

    public ProbeResult {
        Objects.requireNonNull(detail, "detail");
        facts = Map.copyOf(facts);
    }

    public static ProbeResult up(long durationNanos, String detail) {
        return new ProbeResult(true, durationNanos, detail, Map.of());
    }

    public static ProbeResult down(long durationNanos, String why) {
        return new ProbeResult(false, durationNanos, why, Map.of());
    }

    public ProbeResult withFacts(Map<String, String> moreFacts) {
        return new ProbeResult(up, durationNanos, detail, moreFacts);
    }
}
