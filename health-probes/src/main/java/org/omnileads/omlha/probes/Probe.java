package org.omnileads.omlha.probes;

import java.util.concurrent.CompletableFuture;

/**
 * One local service check. A probe is bounded: {@link #check()} completes within the probe's timeout, never
 * exceptionally (a failure is a down {@link ProbeResult} that says why). Probes that can tell sooner than the next
 * interval (a kept connection closed, a process exited) call the {@code changed} callback given to {@link #watch},
 * and the scheduler re-checks at once.
 */
public interface Probe extends AutoCloseable {

    /** The probe's name in the configuration. */
    String name();

    /** Starts one check. Never blocks the caller; the future completes within the timeout. */
    CompletableFuture<ProbeResult> check();

    /** Asks to be told, from any thread, when the probe notices a change between checks. Default: not event-driven. */
    default void watch(Runnable changed) {
    }

    /**
     * How many event-driven checks may start within one interval: one, unless a change reaches the probe from several
     * sources in a row (each Sentinel of a Redis probe announces a failover), each of which may be the one that decides.
     */
    default int eventChecksPerInterval() {
        return 1;
    }

    /** Releases kept connections, threads and file descriptors. Idempotent. */
    @Override
    void close();
}
