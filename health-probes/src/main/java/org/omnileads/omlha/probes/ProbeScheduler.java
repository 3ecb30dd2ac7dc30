package org.omnileads.omlha.probes;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs probes: each on its own daemon thread {@code probe-<name>}, one check at a time, every {@code interval}
 * counted from the previous start, sooner when the probe's watch callback fires (see {@link ProbeSchedulerTiming}).
 * {@link Probe#check()} itself is called on a small shared pool ({@code probe-call}), so even a probe that blocks
 * there cannot hold up its own timeout, nor any other probe.
 * Every check is bounded here, whatever the probe does: a check that has not completed {@code timeout} (plus a short
 * grace that lets the probe report its own, more precise, failure) after it started is recorded down as
 * {@code timed out after 500 ms} and its future is cancelled. Results pass through {@link ProbeState} (rise/fall);
 * the listener hears state changes and first results. A hung probe delays only itself.
 */
public final class ProbeScheduler implements AutoCloseable {
    /** The probe's own timeout gets this much longer to report before the scheduler declares it timed out. */
    static final Duration TIMEOUT_GRACE = Duration.ofMillis(50);
    /** Event-driven and confirming checks start at least this long after the previous start. */
    static final Duration RECHECK_SPACING = Duration.ofMillis(20);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(ProbeScheduler.class);

    private final ProbeListener listener;
    /** Calls {@link Probe#check()}: a thread per probe at most, since a probe has one call outstanding at most. */
    private final ThreadPoolExecutor caller = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, "probe-call");
                thread.setDaemon(true);
                return thread;
            });
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private boolean started;
    private volatile boolean closed;

    public ProbeScheduler(ProbeListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Adds a probe; it starts with {@link #start()}, or at once when the scheduler already runs. */
    public synchronized void add(Probe probe, Duration interval, Duration timeout, int rise, int fall) {
        Objects.requireNonNull(probe, "probe");
        if (closed) {
            throw new IllegalStateException("scheduler is closed");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("probe " + probe.name() + ": interval must be positive, was " + interval);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("probe " + probe.name() + ": timeout must be positive, was " + timeout);
        }
        if (slots.containsKey(probe.name())) {
            throw new IllegalArgumentException("probe " + probe.name() + " is already scheduled");
        }
        Slot slot = new Slot(probe, interval, timeout, new ProbeState(rise, fall));
        slots.put(probe.name(), slot);
        probe.watch(slot::watched);
        if (started) {
            slot.start();
        }
    }

    /** Starts every probe added so far: each runs its first check at once. */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("scheduler is closed");
        }
        if (started) {
            return;
        }
        started = true;
        slots.values().forEach(Slot::start);
    }

    /**
     * Checks probe {@code name} every {@code every} (instead of its interval) for {@code window} from now; a zero
     * window ends an earlier one. For a standby whose promotion is likely soon: watched closely while it matters, not
     * polled all the time. Returns false for a probe this scheduler does not run.
     */
    public boolean watchClosely(String name, Duration window, Duration every) {
        Slot slot;
        synchronized (this) {
            slot = slots.get(name);
        }
        if (slot == null) {
            return false;
        }
        long windowNanos = window.toNanos();
        long everyNanos = every.toNanos();
        slot.onThread(() -> {
            long now = System.nanoTime();
            slot.closelyUntil = now + windowNanos;
            slot.closely = windowNanos > 0;
            if (slot.timing.closely(now, now + windowNanos, everyNanos)) {
                slot.scheduleAt(slot.timing.deadline());
            }
        });
        return true;
    }

    /** The state of every probe, in the order they were added. */
    public synchronized List<ProbeSnapshot> snapshots() {
        List<ProbeSnapshot> all = new ArrayList<>(slots.size());
        long now = System.nanoTime();
        for (Slot slot : slots.values()) {
            long left = slot.closelyUntil - now;
            all.add(slot.closely && left > 0 ? slot.snapshot.withCloseWatch(left / 1_000_000) : slot.snapshot);
        }
        return all;
    }

    /**
     * Stops every probe thread and closes every probe; waits at most about two seconds for the threads. No listener
     * call starts after this returns. Idempotent.
     */
    @Override
    public void close() {
        List<Slot> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(slots.values());
        }
        all.forEach(slot -> slot.executor.shutdownNow());
        caller.shutdownNow();
        for (Slot slot : all) {
            try {
                slot.probe.close();
            } catch (RuntimeException e) {
                log.warn("probe {}: close failed", slot.name, e);
            }
        }
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        for (Slot slot : all) {
            try {
                if (!slot.executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    log.warn("probe {}: its thread did not stop within {} ms", slot.name, CLOSE_WAIT.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One probe and everything about it; all fields but {@code snapshot} are confined to the probe's thread. */
    private final class Slot {
        final String name;
        final Probe probe;
        final Duration timeout;
        final ProbeState state;
        final ProbeSchedulerTiming timing;
        final ScheduledThreadPoolExecutor executor;
        volatile ProbeSnapshot snapshot;
        volatile boolean calling;
        /** The close-watch window, for snapshots (the timing itself keeps its own copy on this slot's thread). */
        volatile boolean closely;
        volatile long closelyUntil;
        ScheduledFuture<?> next;
        long checks;
        long failures;
        String lastFailure;
        Instant lastFailureAt;

        /** The probe's future of the check now running, once check() returned it; read by this slot's thread. */
        private volatile CompletableFuture<ProbeResult> inFlight;

        Slot(Probe probe, Duration interval, Duration timeout, ProbeState state) {
            this.name = probe.name();
            this.probe = probe;
            this.timeout = timeout;
            this.state = state;
            this.timing = new ProbeSchedulerTiming(interval.toNanos(), RECHECK_SPACING.toNanos(),
                    Math.max(1, probe.eventChecksPerInterval()));
            this.executor = new ScheduledThreadPoolExecutor(1, runnable -> {
                Thread thread = new Thread(runnable, "probe-" + name);
                thread.setDaemon(true);
                return thread;
            });
            executor.setRemoveOnCancelPolicy(true);
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            this.snapshot = new ProbeSnapshot(name, false, false, null, null, null, 0, 0);
        }

        void start() {
            onThread(this::check);
        }

        /** The probe's watch callback: any thread. */
        void watched() {
            onThread(() -> {
                if (timing.watched(System.nanoTime())) {
                    scheduleAt(timing.deadline());
                }
            });
        }

        private void onThread(Runnable task) {
            try {
                executor.execute(task);
            } catch (RejectedExecutionException e) {
                // closed: nothing more to do
            }
        }

        private void check() {
            if (closed || timing.running()) {
                return;
            }
            next = null;
            long start = System.nanoTime();
            timing.started(start);
            bounded(start).whenCompleteAsync((result, failure) -> finish(result), executor);
        }

        /**
         * The probe's check, completed within timeout + grace, never exceptionally. {@code check()} is called on the
         * shared caller pool, so a probe that blocks in it (against its contract) delays neither this thread nor
         * other probes; while such a call has not returned, later checks are down at once.
         */
        private CompletableFuture<ProbeResult> bounded(long start) {
            CompletableFuture<ProbeResult> bounded = new CompletableFuture<>();
            bounded.completeOnTimeout(ProbeResult.down(timeout.toNanos(), Check.timedOut(timeout)),
                    timeout.plus(TIMEOUT_GRACE).toNanos(), TimeUnit.NANOSECONDS);
            if (calling) {
                bounded.complete(ProbeResult.down(0, "the previous check has not returned yet"));
                return bounded;
            }
            calling = true;
            try {
                caller.execute(() -> call(bounded, start));
            } catch (RejectedExecutionException e) {
                calling = false;
                bounded.complete(ProbeResult.down(0, "scheduler closed"));
            }
            return bounded;
        }

        private void call(CompletableFuture<ProbeResult> bounded, long start) {
            CompletableFuture<ProbeResult> check;
            try {
                check = probe.check();
            } catch (RuntimeException e) {
                bounded.complete(ProbeResult.down(System.nanoTime() - start, "probe failed: " + describe(e)));
                return;
            } finally {
                calling = false;
            }
            if (check == null) {
                bounded.complete(ProbeResult.down(System.nanoTime() - start, "probe failed: no result"));
                return;
            }
            inFlight = check;
            check.whenComplete((result, failure) -> {
                if (failure != null) {
                    bounded.complete(ProbeResult.down(System.nanoTime() - start, "probe failed: " + describe(failure)));
                } else if (result == null) {
                    bounded.complete(ProbeResult.down(System.nanoTime() - start, "probe failed: no result"));
                } else {
                    bounded.complete(result);
                }
            });
            bounded.thenRun(() -> check.cancel(true));
        }

        private void finish(ProbeResult result) {
            // A check that ran out of time is told to give up before its result is passed on: bounded's own
            // cancel (below, in call) may run after this thread already took the result.
            CompletableFuture<ProbeResult> check = inFlight;
            if (check != null) {
                inFlight = null;
                check.cancel(true);
            }
            if (closed) {
                return;
            }
            checks++;
            if (!result.up()) {
                failures++;
                lastFailure = result.detail();
                lastFailureAt = Instant.now();
            }
            boolean changed = state.record(result.up());
            snapshot = new ProbeSnapshot(name, state.known(), state.up(), result, lastFailure, lastFailureAt, checks,
                    failures);
            if (changed) {
                announce(result);
            } else if (!result.up()) {
                log.debug("probe {}: down ({}), still reported {}", name, result.detail(), state);
            }
            scheduleAt(timing.finished(result.up(), state.up()));
        }

        /** The one log line of a transition (and of the first result): the probe, up or DOWN, and why. */
        private void announce(ProbeResult result) {
            if (state.up()) {
                log.info("probe {}: up ({})", name, result.detail());
            } else {
                log.warn("probe {}: DOWN: {}", name, result.detail());
            }
            try {
                listener.onProbeChange(name, state.up(), result);
            } catch (RuntimeException e) {
                log.error("probe {}: listener failed", name, e);
            }
        }

        private void scheduleAt(long deadline) {
            if (closed) {
                return;
            }
            if (next != null) {
                next.cancel(false);
            }
            long delay = Math.max(0, deadline - System.nanoTime());
            try {
                next = executor.schedule(this::check, delay, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                next = null;
            }
        }
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
