package org.omnileads.omlha.vip;

import java.util.concurrent.TimeUnit;

/**
 * When to announce VIPs after becoming MASTER, as keepalived's {@code garp_master_*} settings:
 *
 * @param repeat                 frames per VIP in each of the two bursts ({@code garp_master_repeat}, default 5)
 * @param spacingNanos           time between the frames of a burst, 0 = back to back ({@code garp_interval}, default 0)
 * @param secondBurstDelayNanos  the second burst's delay after becoming MASTER, 0 = none ({@code garp_master_delay}, default 5 s)
 * @param refreshNanos           period of refresh bursts while MASTER, 0 = off ({@code garp_master_refresh}, default off)
 * @param refreshRepeat          frames per VIP in a refresh burst ({@code garp_master_refresh_repeat}, default 1)
 */
public record AnnounceSettings(int repeat, long spacingNanos, long secondBurstDelayNanos, long refreshNanos, int refreshRepeat) {

    public static final AnnounceSettings DEFAULTS = new AnnounceSettings(5, 0, TimeUnit.SECONDS.toNanos(5), 0, 1);

    public AnnounceSettings {
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat must be at least 1, got " + repeat);
        }
        if (refreshRepeat < 1) {
            throw new IllegalArgumentException("refreshRepeat must be at least 1, got " + refreshRepeat);
        }
        if (spacingNanos < 0 || secondBurstDelayNanos < 0 || refreshNanos < 0) {
            throw new IllegalArgumentException("durations cannot be negative: spacing " + spacingNanos + " ns, second burst delay "
                    + secondBurstDelayNanos + " ns, refresh " + refreshNanos + " ns");
        }
        long longestBurst;
        try {
            longestBurst = Math.multiplyExact(spacingNanos, (long) Math.max(repeat, refreshRepeat) - 1);
        } catch (ArithmeticException e) {
            longestBurst = Long.MAX_VALUE;
        }
        if (longestBurst > Long.MAX_VALUE / 4) {
            throw new IllegalArgumentException("a burst of " + Math.max(repeat, refreshRepeat) + " frames " + spacingNanos
                    + " ns apart is too long");
        }
    }
}
