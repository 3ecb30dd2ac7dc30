package org.omnileads.omlha.probes;

import java.util.Objects;
import java.util.Optional;

/**
 * What one check of a local service found: up or down, how long the check took, why it is down (or what it saw,
 * when up), and what it learnt of the service that a policy may use ({@code facts}, {@code null} when the probe
 * reports none): a PostgreSQL probe its {@link PostgresFacts}, a Redis probe its {@link RedisFacts}, a SIP probe
 * its {@link SipFacts}.
 */
public record ProbeResult(boolean up, long durationNanos, String detail, ServiceFacts facts) {

    public ProbeResult {
        Objects.requireNonNull(detail, "detail");
    }

    public static ProbeResult up(long durationNanos, String detail) {
        return new ProbeResult(true, durationNanos, detail, null);
    }

    public static ProbeResult down(long durationNanos, String why) {
        return new ProbeResult(false, durationNanos, why, null);
    }

    public ProbeResult withFacts(ServiceFacts facts) {
        return new ProbeResult(up, durationNanos, detail, facts);
    }

    /** The facts, when they are of {@code kind}: {@code result.facts(PostgresFacts.class)}. */
    public <F extends ServiceFacts> Optional<F> facts(Class<F> kind) {
        return kind.isInstance(facts) ? Optional.of(kind.cast(facts)) : Optional.empty();
    }
}
