package org.omnileads.omlha.probes;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** The argument check and the answers of a closed probe that every probe implementation shares. */
final class Probes {

    private Probes() {
    }

    /** {@code timeout} when it is positive, otherwise an {@link IllegalArgumentException} that names the probe. */
    static Duration positiveTimeout(String probe, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("probe " + probe + ": timeout must be positive, got " + timeout);
        }
        return timeout;
    }

    /** The answer to a check asked after {@code close()}: down at once, in no time. */
    static CompletableFuture<ProbeResult> closedProbe() {
        return CompletableFuture.completedFuture(ProbeResult.down(0, "probe closed"));
    }

    /**
     * Hands a check's work to {@code executor}. One that {@code close()} shut down meanwhile refuses it: the check is
     * then completed down, {@code probe closed}, and this returns false.
     */
    static boolean execute(Executor executor, Runnable work, long startNanos, CompletableFuture<ProbeResult> result) {
        try {
            executor.execute(work);
            return true;
        } catch (RejectedExecutionException e) {
            result.complete(ProbeResult.down(System.nanoTime() - startNanos, "probe closed"));
            return false;
        }
    }
}
