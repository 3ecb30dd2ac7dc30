package org.omnileads.omlha.probes;

/**
 * When the next check of one probe starts. Pure: time is a parameter ({@code System.nanoTime()} values, compared
 * overflow-safe); one owner calls it from one thread.
 *
 * <ul>
 *   <li>Periodic: the next check starts {@code interval} after the previous one started (no drift); a check that
 *       ran longer than the interval is followed at once. One check at a time.</li>
 *   <li>Event: a probe's watch callback moves the next check to {@code spacing} after the previous start (at once,
 *       usually). During a check it is remembered once (coalesced) and the re-check follows that check. At most {@code eventsPerInterval}
 *       event-driven checks (one, usually) start per interval, so a probe whose connections keep closing cannot spin; a
 *       probe that hears several sources of one change (a Redis probe, each of its Sentinels) may ask for more.</li>
 *   <li>Confirming: after an event-driven check finds the service down while the reported state is still up (a
 *       fall in progress), the following checks come {@code spacing} apart until the state goes down or a check is
 *       up, so {@code fall} is reached in a few spacings rather than {@code fall} intervals.</li>
 *   <li>Closely: for a window the owner asks for ({@link #closely}), checks come {@code every} apart instead of
 *       {@code interval}: a standby whose primary just went away is watched for its promotion. Bounded: when the
 *       window ends the interval is back, and asking again only moves the window's end.</li>
 * </ul>
 */
final class ProbeSchedulerTiming {
    private final long intervalNanos;
    private final long spacingNanos;

    private boolean started;
    private boolean running;
    private boolean pendingEvent;
    private boolean nextIsEvent;
    private boolean confirming;
    private long lastStart;
    /** The starts of the last event-driven checks, a ring of {@code eventsPerInterval}; {@code eventChecks} counts them all. */
    private final long[] eventStarts;
    private long eventChecks;
    private long deadline;
    private boolean closely;
    private long closelyUntil;
    private long closelyEvery;

    ProbeSchedulerTiming(long intervalNanos, long spacingNanos) {
        this(intervalNanos, spacingNanos, 1);
    }

    ProbeSchedulerTiming(long intervalNanos, long spacingNanos, int eventsPerInterval) {
        if (eventsPerInterval < 1) {
            throw new IllegalArgumentException("eventsPerInterval must be at least 1, was " + eventsPerInterval);
        }
        this.eventStarts = new long[eventsPerInterval];
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("interval must be positive, was " + intervalNanos + " ns");
        }
        if (spacingNanos < 0) {
            throw new IllegalArgumentException("spacing must not be negative, was " + spacingNanos + " ns");
        }
        this.intervalNanos = intervalNanos;
        this.spacingNanos = Math.min(spacingNanos, intervalNanos);
    }

    /** A check starts now. */
    void started(long nowNanos) {
        if (running) {
            throw new IllegalStateException("a check is already running");
        }
        running = true;
        started = true;
        lastStart = nowNanos;
        if (nextIsEvent) {
            confirming = true;
            eventStarts[(int) (eventChecks++ % eventStarts.length)] = nowNanos;
        }
        nextIsEvent = false;
    }

    /**
     * The running check ended with {@code resultUp}; {@code reportedUp} is the state after recording it. Returns the
     * deadline of the next check (may be in the past: start at once).
     */
    long finished(boolean resultUp, boolean reportedUp) {
        if (!running) {
            throw new IllegalStateException("no check is running");
        }
        running = false;
        confirming = confirming && !resultUp && reportedUp;
        nextIsEvent = pendingEvent;
        pendingEvent = false;
        deadline = lastStart + (nextIsEvent || confirming ? spacingNanos : closelyAt(lastStart) ? closelyEvery : intervalNanos);
        return deadline;
    }

    /**
     * From now until {@code untilNanos}, checks start {@code everyNanos} apart (at most {@code interval}); an end in the
     * past ends the window. Returns true when the next check moved earlier: reschedule it at {@link #deadline()}.
     */
    boolean closely(long nowNanos, long untilNanos, long everyNanos) {
        if (everyNanos <= 0) {
            throw new IllegalArgumentException("every must be positive, was " + everyNanos + " ns");
        }
        closely = untilNanos - nowNanos > 0;
        closelyUntil = untilNanos;
        closelyEvery = Math.min(everyNanos, intervalNanos);
        if (!closely || !started || running) {
            return false; // a running check's end picks the spacing up
        }
        long soon = lastStart + closelyEvery;
        if (soon - deadline < 0) {
            deadline = soon;
            return true;
        }
        return false;
    }

    /** Whether a check that started at {@code startNanos} lies in the close-watch window. */
    boolean closelyAt(long startNanos) {
        return closely && startNanos - closelyUntil < 0;
    }

    /**
     * The probe's watch callback fired. Returns true when the next check moved earlier: reschedule it at
     * {@link #deadline()}. False when nothing is to be done now: a check is running (the event is remembered), the
     * first check has not started yet, or {@code eventsPerInterval} event-driven checks already started within the last
     * interval.
     */
    boolean watched(long nowNanos) {
        if (!started || eventBudgetSpent(nowNanos)) {
            return false;
        }
        if (running) {
            pendingEvent = true;
            return false;
        }
        nextIsEvent = true;
        long soon = lastStart + spacingNanos;
        if (soon - deadline < 0) {
            deadline = soon;
            return true;
        }
        return false;
    }

    /** Whether the oldest of the last {@code eventsPerInterval} event-driven checks started within the last interval. */
    private boolean eventBudgetSpent(long nowNanos) {
        if (eventChecks < eventStarts.length) {
            return false;
        }
        long oldest = eventStarts[(int) (eventChecks % eventStarts.length)];
        return nowNanos - oldest < intervalNanos;
    }

    /** The deadline of the next check, as last returned or moved; meaningless while a check runs. */
    long deadline() {
        return deadline;
    }

    boolean running() {
        return running;
    }
}
