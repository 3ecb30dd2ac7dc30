package org.omnileads.omlha.probes;

import java.time.Instant;

/**
 * What {@link ProbeScheduler} knows about one probe now: its reported state ({@code known} is false before the first
 * result), the last check, the last failure and when it happened (kept after the probe recovers, to say why it
 * was down), how many checks ran and failed, and how long it is still watched closely ({@code closeWatchMillisLeft},
 * null when it runs at its interval; see {@link ProbeScheduler#watchClosely}).
 */
public record ProbeSnapshot(String name, boolean known, boolean up, ProbeResult lastResult, String lastFailure,
                            Instant lastFailureAt, long checks, long failures, Long closeWatchMillisLeft) {

    public ProbeSnapshot(String name, boolean known, boolean up, ProbeResult lastResult, String lastFailure,
                         Instant lastFailureAt, long checks, long failures) {
        this(name, known, up, lastResult, lastFailure, lastFailureAt, checks, failures, null);
    }

    ProbeSnapshot withCloseWatch(Long millisLeft) {
        return new ProbeSnapshot(name, known, up, lastResult, lastFailure, lastFailureAt, checks, failures, millisLeft);
    }
}
