package org.omnileads.omlha.probes;

import java.time.Instant;

/**
 * What {@link ProbeScheduler} knows about one probe now: its reported state ({@code known} is false before the first
 * result), the last check, the last failure and when it happened (kept after the probe recovers, to say why it
 * was down), and how many checks ran and failed.
 */
public record ProbeSnapshot(String name, boolean known, boolean up, ProbeResult lastResult, String lastFailure,
                            Instant lastFailureAt, long checks, long failures) {
}
