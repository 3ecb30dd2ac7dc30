package org.omnileads.omlha.vrrp.fsm;

import java.net.InetAddress;
import java.util.Objects;

/**
 * The settings of one VRRP virtual router that its state machine needs (RFC 5798 §6.1, RFC 3768 §6.1),
 * checked when built.
 *
 * @param vrid virtual router id, 1..255
 * @param version 2 (RFC 3768) or 3 (RFC 5798)
 * @param priority 1..255; 255 is the owner of the virtual addresses, which takes over at once and always
 *     preempts
 * @param advertIntervalCentis our advert interval in centiseconds: v3 1..4095; v2 whole seconds 1..255, so a
 *     multiple of 100 up to 25500
 * @param preempt whether a backup with a higher priority takes over from a lower-priority master
 * @param preemptDelayNanos how long a backup keeps following a lower-priority master after first seeing it
 *     before it preempts, 0 for none; see {@link VrrpRouter}
 * @param primaryAddress the source address of our adverts, compared when two masters have equal priority
 */
public record RouterConfig(int vrid, int version, int priority, int advertIntervalCentis, boolean preempt,
                           long preemptDelayNanos, InetAddress primaryAddress) {

    /** The priority of the router that owns the virtual addresses (RFC 5798 §5.2.4). */
    public static final int OWNER_PRIORITY = 255;
    public static final int V3_MAX_INTERVAL_CENTIS = 4095;
    public static final int V2_MAX_INTERVAL_CENTIS = 255 * 100;

    static final long NANOS_PER_CENTI = 10_000_000L;

    public RouterConfig {
        checkRange("vrid", vrid, 1, 255);
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("version " + version + " (expected: 2 or 3)");
        }
        checkRange("priority", priority, 1, OWNER_PRIORITY);
        if (version == 3) {
            checkRange("advertIntervalCentis", advertIntervalCentis, 1, V3_MAX_INTERVAL_CENTIS);
        } else {
            checkRange("advertIntervalCentis", advertIntervalCentis, 100, V2_MAX_INTERVAL_CENTIS);
            if (advertIntervalCentis % 100 != 0) {
                throw new IllegalArgumentException("advertIntervalCentis " + advertIntervalCentis
                        + " (expected: whole seconds for VRRPv2, a multiple of 100)");
            }
        }
        if (preemptDelayNanos < 0) {
            throw new IllegalArgumentException("preemptDelayNanos " + preemptDelayNanos + " (expected: 0 or more)");
        }
        Objects.requireNonNull(primaryAddress, "primaryAddress");
    }

    /** Whether we own the virtual addresses (priority 255). */
    public boolean isAddressOwner() {
        return priority == OWNER_PRIORITY;
    }

    /** Our advert interval in nanoseconds. */
    public long advertIntervalNanos() {
        return advertIntervalCentis * NANOS_PER_CENTI;
    }

    private static void checkRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " " + value + " (expected: " + min + ".." + max + ")");
        }
    }
}
