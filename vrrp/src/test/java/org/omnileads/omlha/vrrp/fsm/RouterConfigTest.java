package org.omnileads.omlha.vrrp.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnileads.omlha.vrrp.fsm.VrrpRouterTest.ip;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class RouterConfigTest {
    private static final InetAddress ADDRESS = ip("192.0.2.1");

    @Test
    void acceptsTheLimits() {
        new RouterConfig(1, 3, 1, 1, true, 0, ADDRESS);
        new RouterConfig(255, 3, 255, 4095, false, Long.MAX_VALUE, ip("fe80::1"));
        new RouterConfig(51, 2, 100, 100, true, 0, ADDRESS);
        RouterConfig v2 = new RouterConfig(51, 2, 100, 25_500, true, 0, ADDRESS);
        assertEquals(255_000_000_000L, v2.advertIntervalNanos());
        assertTrue(new RouterConfig(51, 3, 255, 100, true, 0, ADDRESS).isAddressOwner());
    }

    @Test
    void rejectsValuesOutOfRangeNamingTheField() {
        rejects("vrid 0 (expected: 1..255)", () -> new RouterConfig(0, 3, 100, 100, true, 0, ADDRESS));
        rejects("vrid 256 (expected: 1..255)", () -> new RouterConfig(256, 3, 100, 100, true, 0, ADDRESS));
        rejects("version 4 (expected: 2 or 3)", () -> new RouterConfig(51, 4, 100, 100, true, 0, ADDRESS));
        rejects("priority 0 (expected: 1..255)", () -> new RouterConfig(51, 3, 0, 100, true, 0, ADDRESS));
        rejects("priority 256 (expected: 1..255)", () -> new RouterConfig(51, 3, 256, 100, true, 0, ADDRESS));
        rejects("advertIntervalCentis 0 (expected: 1..4095)", () -> new RouterConfig(51, 3, 100, 0, true, 0, ADDRESS));
        rejects("advertIntervalCentis 4096 (expected: 1..4095)", () -> new RouterConfig(51, 3, 100, 4096, true, 0, ADDRESS));
        rejects("advertIntervalCentis 50 (expected: 100..25500)", () -> new RouterConfig(51, 2, 100, 50, true, 0, ADDRESS));
        rejects("advertIntervalCentis 150 (expected: whole seconds for VRRPv2, a multiple of 100)",
                () -> new RouterConfig(51, 2, 100, 150, true, 0, ADDRESS));
        rejects("preemptDelayNanos -1 (expected: 0 or more)", () -> new RouterConfig(51, 3, 100, 100, true, -1, ADDRESS));
        assertEquals("primaryAddress",
                assertThrows(NullPointerException.class, () -> new RouterConfig(51, 3, 100, 100, true, 0, null)).getMessage());
    }

    private static void rejects(String message, Executable build) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, build).getMessage());
    }
}
