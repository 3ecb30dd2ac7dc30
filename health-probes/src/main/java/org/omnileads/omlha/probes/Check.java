package org.omnileads.omlha.probes;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One check in flight: when it started, its timeout, and the future it completes once. Every answer goes through
 * here, so its duration is always measured from the start of the check. Thread-safe: the first answer wins.
 */
final class Check {
    static final String CLOSED = "probe closed";

    private final long startNanos = System.nanoTime();
    private final Duration timeout;
    private final CompletableFuture<ProbeResult> future = new CompletableFuture<>();
    private volatile boolean answered;
    private volatile Future<?> deadline;

    Check(Duration timeout) {
        this.timeout = timeout;
    }

    /** {@code timed out after 500 ms}: the words of every timeout, the probes' own and the scheduler's. */
    static String timedOut(Duration timeout) {
        return "timed out after " + timeout.toMillis() + " ms";
    }

    /** This check's timeout in those words. */
    String timedOut() {
        return timedOut(timeout);
    }

    long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(elapsedNanos());
    }

    CompletableFuture<ProbeResult> future() {
        return future;
    }

    /** Answered, or cancelled by the caller. */
    boolean isDone() {
        return future.isDone();
    }

    boolean up(String detail) {
        return answer(true, detail, null);
    }

    boolean down(String why) {
        return answer(false, why, null);
    }

    /**
     * Completes the check, its duration measured now, and cancels its deadline; false when it was already complete
     * (answered, timed out or cancelled).
     */
    boolean answer(boolean up, String detail, ServiceFacts facts) {
        answered = true;
        Future<?> timer = deadline;
        if (timer != null) {
            timer.cancel(false);
        }
        return future.complete(new ProbeResult(up, elapsedNanos(), detail, facts));
    }

    /**
     * Runs {@code onTimeout} on {@code timer} (a probe's event loop) once the timeout has passed since the start,
     * unless the probe answered first. A check cancelled by its caller still runs it: that is where a probe cleans up.
     */
    void onTimeout(ScheduledExecutorService timer, Runnable onTimeout) {
        long left = Math.max(0, timeout.toNanos() - elapsedNanos());
        Future<?> scheduled = timer.schedule(() -> expire(onTimeout), left, TimeUnit.NANOSECONDS);
        deadline = scheduled;
        if (answered) {
            scheduled.cancel(false);
        }
    }

    /** {@link #onTimeout(ScheduledExecutorService, Runnable)} on the JDK's shared delay thread. */
    void onTimeout(Runnable onTimeout) {
        long left = Math.max(0, timeout.toNanos() - elapsedNanos());
        CompletableFuture.delayedExecutor(left, TimeUnit.NANOSECONDS).execute(() -> expire(onTimeout));
    }

    private void expire(Runnable onTimeout) {
        if (!answered) {
            onTimeout.run();
        }
    }

    /** Runs {@code action} if the caller cancels the check (the scheduler does, once it has given up on it). */
    void onCancel(Runnable action) {
        future.whenComplete((r, e) -> {
            if (future.isCancelled()) {
                action.run();
            }
        });
    }
}
