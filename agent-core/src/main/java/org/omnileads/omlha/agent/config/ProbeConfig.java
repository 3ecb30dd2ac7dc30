package org.omnileads.omlha.agent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * One local service check ({@code omlha.probes.<name>}). A probe is up after {@code rise} successes in a row and
 * down after {@code fall} failures; each attempt gives up after {@code timeout}. {@code spec} is what its type
 * checks (see {@link ProbeSpec}); it is {@code null} only while a configuration whose probe has an unknown type is
 * read, before it is refused.
 */
public record ProbeConfig(String name, Duration interval, Duration timeout, int rise, int fall, ProbeSpec spec) {

    public ProbeConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
    }
}
