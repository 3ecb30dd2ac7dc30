package org.omnileads.omlha.vrrp.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnileads.omlha.vrrp.packet.TestBytes.hex;
import static org.omnileads.omlha.vrrp.packet.TestBytes.ip;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VrrpPacketTest {
    static final List<InetAddress> VIP = List.of(ip("192.0.2.100"));

    @Test
    void passwordIsTruncatedToEightBytesAndZeroPaddedAsKeepalivedDoes() {
        assertEquals("6f6d6e696c656164", hex(VrrpPacket.v2(1, 100, 1, VIP, "omnileads-secret").authData()));
        assertEquals("6162630000000000", hex(VrrpPacket.v2(1, 100, 1, VIP, "abc").authData()));
        assertEquals(VrrpPacket.AUTH_PASS, VrrpPacket.v2(1, 100, 1, VIP, "abc").authType());
        // UTF-8 bytes, cut at 8 bytes even inside a character.
        assertEquals("c3b1c3b1c3b1c3b1", hex(VrrpPacket.v2(1, 100, 1, VIP, "ñññññ").authData()));
    }

    @Test
    void noPasswordMeansNoAuthenticationAndZeroData() {
        VrrpPacket p = VrrpPacket.v2(1, 100, 1, VIP, null);
        assertEquals(VrrpPacket.AUTH_NONE, p.authType());
        assertArrayEquals(new byte[8], p.authData());
        assertEquals("empty password (use null for no authentication)",
                assertThrows(IllegalArgumentException.class, () -> VrrpPacket.v2(1, 100, 1, VIP, "")).getMessage());
    }

    @Test
    void vrrpV3HasNoAuthentication() {
        VrrpPacket p = VrrpPacket.v3(1, 100, 100, VIP);
        assertEquals(0, p.authType());
        assertEquals(0, p.authData().length);
        assertEquals("VRRPv3 has no authentication: authType 1 and 8 bytes of authData (expected: 0 and none)",
                assertThrows(IllegalArgumentException.class,
                        () -> new VrrpPacket(3, 1, 100, 100, VIP, 1, new byte[8])).getMessage());
    }

    @Test
    void rejectsFieldsOutOfRange() {
        assertMessage("version 4 (expected: 2 or 3)", () -> new VrrpPacket(4, 1, 1, 1, VIP, 0, new byte[0]));
        assertMessage("vrid 0 (expected: 1..255)", () -> VrrpPacket.v3(0, 1, 1, VIP));
        assertMessage("vrid 256 (expected: 1..255)", () -> VrrpPacket.v3(256, 1, 1, VIP));
        assertMessage("priority -1 (expected: 0..255)", () -> VrrpPacket.v3(1, -1, 1, VIP));
        assertMessage("advertInterval (centiseconds) 4096 (expected: 1..4095)", () -> VrrpPacket.v3(1, 1, 4096, VIP));
        assertMessage("advertInterval (centiseconds) 0 (expected: 1..4095)", () -> VrrpPacket.v3(1, 1, 0, VIP));
        assertMessage("advertInterval (seconds) 256 (expected: 1..255)", () -> VrrpPacket.v2(1, 1, 256, VIP, null));
        assertMessage("authType 256 (expected: 0..255)", () -> new VrrpPacket(2, 1, 1, 1, VIP, 256, new byte[8]));
        assertMessage("authData 7 bytes (expected: 8)", () -> new VrrpPacket(2, 1, 1, 1, VIP, 0, new byte[7]));
    }

    @Test
    void rejectsAddressListsTheWireCannotCarry() {
        assertMessage("VRRPv2 carries IPv4 addresses only: [/2001:db8:0:0:0:0:0:1]",
                () -> VrrpPacket.v2(1, 1, 1, List.of(ip("2001:db8::1")), null));
        assertMessage("mixed IPv4 and IPv6 addresses: [/192.0.2.1, /2001:db8:0:0:0:0:0:1]",
                () -> VrrpPacket.v3(1, 1, 1, List.of(ip("192.0.2.1"), ip("2001:db8::1"))));
        List<InetAddress> tooMany = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            tooMany.add(ip("192.0.2." + (i % 256)));
        }
        assertMessage("256 addresses (expected: at most 255)", () -> VrrpPacket.v3(1, 1, 1, tooMany));
    }

    @Test
    void equalityComparesAuthDataByContent() {
        VrrpPacket a = VrrpPacket.v2(1, 100, 1, VIP, "secret");
        VrrpPacket b = new VrrpPacket(2, 1, 100, 1, VIP, 1, hex("73 65 63 72 65 74 00 00"));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, VrrpPacket.v2(1, 100, 1, VIP, "secreT"));
        assertNotEquals(a, a.withPriority(0));
        assertEquals(0, a.withPriority(0).priority());
        assertEquals(a, a.withPriority(0).withPriority(100));
    }

    @Test
    void authDataCannotBeChangedFromOutside() {
        byte[] data = hex("73 65 63 72 65 74 00 00");
        VrrpPacket p = new VrrpPacket(2, 1, 100, 1, VIP, 1, data);
        data[0] = 0;
        p.authData()[1] = 0;
        assertEquals("7365637265740000", hex(p.authData()));
    }

    @Test
    void toStringShowsTheFieldsButNotThePassword() {
        VrrpPacket v2 = VrrpPacket.v2(51, 150, 1, List.of(ip("192.0.2.100"), ip("192.0.2.101")), "omnileads");
        assertEquals("VRRPv2[vrid 51, priority 150, interval 1s, addresses [192.0.2.100, 192.0.2.101], auth pass]",
                v2.toString());
        assertFalse(v2.toString().contains("omnilead"));
        assertEquals("VRRPv3[vrid 51, priority 150, interval 100cs, addresses [2001:db8:0:0:0:0:0:1]]",
                VrrpPacket.v3(51, 150, 100, List.of(ip("2001:db8::1"))).toString());
    }

    @Test
    void familyFollowsTheAddresses() {
        assertTrue(VrrpPacket.v3(1, 1, 1, List.of(ip("2001:db8::1"))).isIpv6());
        assertFalse(VrrpPacket.v3(1, 1, 1, VIP).isIpv6());
        assertFalse(VrrpPacket.v3(1, 1, 1, List.of()).isIpv6());
    }

    private static void assertMessage(String expected, Runnable construct) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, construct::run).getMessage());
    }
}
