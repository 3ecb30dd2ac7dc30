package org.omnileads.omlha.vip;

/**
 * When to send the frames that announce a group's VIPs while it is MASTER (keepalived's garp_master_* timing,
 * see {@link AnnounceSettings}). Pure: time is the caller's monotonic {@code nowNanos}; deadlines are compared
 * by difference ({@code a - b < 0}), so any clock origin works, including around {@link Long#MAX_VALUE}.
 *
 * <p>The bursts: one of {@code repeat} frames at {@link #start}, one more of {@code repeat} frames
 * {@code secondBurstDelay} after it, and while {@code refresh} is on one of {@code refreshRepeat} frames every
 * {@code refresh} after {@code start}. Frames of a burst are {@code spacing} apart. The event loop asks
 * {@link #nextDeadline()}, waits at most until then, and sends {@link #due(long)} frames per VIP.
 *
 * <p>When the caller is late, frames of the current burst that are overdue are all due at once. A burst never
 * starts before the previous one has been sent: a second burst that came due meanwhile starts right after it
 * (its spacing measured from then), and refresh times that passed meanwhile are absorbed by it. One call of
 * {@link #due} returns frames of one burst only.
 */
public final class AnnounceSchedule {
    private final AnnounceSettings settings;
    private boolean active;
    private long origin;
    private long burstStart;
    private int burstSize;
    private int burstSent;
    private boolean secondPending;
    private long nextRefresh;

    public AnnounceSchedule(AnnounceSettings settings) {
        this.settings = settings;
    }

    public AnnounceSettings settings() {
        return settings;
    }

    /** Becoming MASTER: the first burst is due at once. Restarts a running schedule. */
    public void start(long nowNanos) {
        active = true;
        origin = nowNanos;
        secondPending = settings.secondBurstDelayNanos() > 0;
        nextRefresh = nowNanos + settings.refreshNanos();
        beginBurst(nowNanos, settings.repeat());
    }

    /** Leaving MASTER: nothing more is due. */
    public void stop() {
        active = false;
    }

    public boolean hasDeadline() {
        return active;
    }

    /** When the next frame is due. */
    public long nextDeadline() {
        if (!active) {
            throw new IllegalStateException("no announcement is scheduled");
        }
        return frameTime(burstSent);
    }

    /** How many frames to send now for each VIP (0 when none is due); advances the schedule past them. */
    public int due(long nowNanos) {
        if (!active) {
            return 0;
        }
        int count = 0;
        while (burstSent < burstSize && nowNanos - frameTime(burstSent) >= 0) {
            burstSent++;
            count++;
        }
        if (burstSent == burstSize) {
            scheduleNextBurst(nowNanos);
        }
        return count;
    }

    private long frameTime(int index) {
        return burstStart + index * settings.spacingNanos();
    }

    private void beginBurst(long at, int size) {
        burstStart = at;
        burstSize = size;
        burstSent = 0;
    }

    private void scheduleNextBurst(long nowNanos) {
        long refresh = settings.refreshNanos();
        if (refresh > 0 && nextRefresh - nowNanos <= 0) {
            nextRefresh = firstPeriodAfter(nextRefresh, nowNanos, refresh);
        }
        long second = origin + settings.secondBurstDelayNanos();
        if (secondPending && (refresh == 0 || second - nextRefresh <= 0)) {
            secondPending = false;
            beginBurst(second - nowNanos >= 0 ? second : nowNanos, settings.repeat());
        } else if (refresh > 0) {
            beginBurst(nextRefresh, settings.refreshRepeat());
            nextRefresh += refresh;
        } else {
            active = false;
        }
    }

    /** The first {@code time + k * period} (k >= 1) strictly after {@code after}; {@code time <= after}. */
    private static long firstPeriodAfter(long time, long after, long period) {
        long periods = (after - time) / period + 1;
        return time + periods * period;
    }
}
