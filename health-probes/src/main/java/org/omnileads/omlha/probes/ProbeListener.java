package org.omnileads.omlha.probes;

/**
 * Told by {@link ProbeScheduler} when a probe's reported state changes (after rise/fall) and for its first result.
 * Called from the scheduler's thread of that probe, so calls for one probe arrive in order; keep it short.
 */
@FunctionalInterface
public interface ProbeListener {

    /** {@code probe} is now {@code up} (or down); {@code result} is the check that decided it. */
    void onProbeChange(String probe, boolean up, ProbeResult result);
}
