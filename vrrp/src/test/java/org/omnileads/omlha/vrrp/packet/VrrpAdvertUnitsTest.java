package org.omnileads.omlha.vrrp.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.omnileads.omlha.vrrp.packet.TestBytes.encode;
import static org.omnileads.omlha.vrrp.packet.TestBytes.hex;
import static org.omnileads.omlha.vrrp.packet.TestBytes.ip;
import static org.omnileads.omlha.vrrp.packet.TestBytes.withChecksum;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link VrrpPacket#advert}, {@link VrrpPacket#wireInterval} and {@link VrrpPacket#advertIntervalCentis()}: the
 * one place that knows VRRPv2 carries seconds and VRRPv3 centiseconds. Compared byte for byte with the
 * version's own factory, which the vectors tests pin to published captures.
 */
class VrrpAdvertUnitsTest {
    static final InetAddress SRC = ip("192.0.2.1");
    static final InetAddress GROUP = ip("224.0.0.18");
    static final List<InetAddress> VIPS = List.of(ip("192.0.2.100"), ip("192.0.2.101"));
    static final List<InetAddress> VIPS6 = List.of(ip("2001:db8::100"));

    @Test
    void v3AdvertIsTheV3FactoryWithTheIntervalAsIs() {
        VrrpPacket advert = VrrpPacket.advert(3, 51, 150, 100, VIPS, null);
        assertEquals(VrrpPacket.v3(51, 150, 100, VIPS), advert);
        // version 3, type 1; vrid 51; priority 150; 2 addresses; 100 cs; checksum; the VIPs
        assertEquals(hex(withChecksum(hex("31 33 96 02 00 64 00 00 c0 00 02 64 c0 00 02 65"), SRC, GROUP)),
                hex(encode(advert, SRC, GROUP)));
        assertArrayEquals(encode(VrrpPacket.v3(51, 150, 100, VIPS), SRC, GROUP), encode(advert, SRC, GROUP));
        assertEquals(100, advert.advertIntervalCentis());
    }

    @Test
    void v2AdvertIsTheV2FactoryWithTheIntervalInSeconds() {
        VrrpPacket advert = VrrpPacket.advert(2, 51, 150, 300, VIPS, "secret");
        assertEquals(VrrpPacket.v2(51, 150, 3, VIPS, "secret"), advert);
        assertEquals(3, advert.advertInterval());
        assertEquals(300, advert.advertIntervalCentis());
        assertArrayEquals(encode(VrrpPacket.v2(51, 150, 3, VIPS, "secret"), SRC, GROUP), encode(advert, SRC, GROUP));
        // version 2, type 1; vrid 51; priority 150; 2 addresses; auth type 1; 3 s; checksum; VIPs; "secret\0\0"
        assertEquals(hex(withChecksum(hex("21 33 96 02 01 03 00 00 c0 00 02 64 c0 00 02 65 73 65 63 72 65 74 00 00"),
                SRC, GROUP)), hex(encode(advert, SRC, GROUP)));
    }

    @Test
    void v2AdvertWithoutPasswordHasNoAuthentication() {
        VrrpPacket advert = VrrpPacket.advert(2, 7, 100, 100, VIPS, null);
        assertEquals(VrrpPacket.v2(7, 100, 1, VIPS, null), advert);
        assertEquals(VrrpPacket.AUTH_NONE, advert.authType());
        assertArrayEquals(encode(VrrpPacket.v2(7, 100, 1, VIPS, null), SRC, GROUP), encode(advert, SRC, GROUP));
    }

    @Test
    void v3OverIpv6() {
        assertEquals(VrrpPacket.v3(9, 200, 4095, VIPS6), VrrpPacket.advert(3, 9, 200, 4095, VIPS6, null));
    }

    @Test
    void refusesWhatNeitherVersionCanCarry() {
        assertEquals("advert interval 150 cs (expected: whole seconds for VRRPv2, a multiple of 100)",
                assertThrows(IllegalArgumentException.class,
                        () -> VrrpPacket.advert(2, 1, 100, 150, VIPS, null)).getMessage());
        assertEquals("VRRPv3 has no authentication: a password was given",
                assertThrows(IllegalArgumentException.class,
                        () -> VrrpPacket.advert(3, 1, 100, 100, VIPS, "secret")).getMessage());
        assertEquals("version 4 (expected: 2 or 3)",
                assertThrows(IllegalArgumentException.class,
                        () -> VrrpPacket.advert(4, 1, 100, 100, VIPS, null)).getMessage());
        assertEquals("advertInterval (seconds) 256 (expected: 1..255)",
                assertThrows(IllegalArgumentException.class,
                        () -> VrrpPacket.advert(2, 1, 100, 25_600, VIPS, null)).getMessage());
        assertEquals("advertInterval (seconds) 0 (expected: 1..255)",
                assertThrows(IllegalArgumentException.class,
                        () -> VrrpPacket.advert(2, 1, 100, 0, VIPS, null)).getMessage());
        assertEquals("advertInterval (centiseconds) 4096 (expected: 1..4095)",
                assertThrows(IllegalArgumentException.class,
                        () -> VrrpPacket.advert(3, 1, 100, 4096, VIPS, null)).getMessage());
    }

    @Test
    void wireIntervalAndCentisAreInverse() {
        assertEquals(1, VrrpPacket.wireInterval(2, 100));
        assertEquals(255, VrrpPacket.wireInterval(2, 25_500));
        assertEquals(1, VrrpPacket.wireInterval(3, 1));
        assertEquals(150, VrrpPacket.wireInterval(3, 150));
        assertEquals(25_500, VrrpPacket.v2(1, 1, 255, VIPS, null).advertIntervalCentis());
        assertEquals(4095, VrrpPacket.v3(1, 1, 4095, VIPS).advertIntervalCentis());
    }

    /** What a configuration builds, exactly as agent-core's Settings.expectations built it field by field. */
    @Test
    void expectationsOfOurAdvertAreTheFieldByFieldOnes() {
        List<InetAddress> peers = List.of(ip("192.0.2.2"), ip("192.0.2.3"));
        for (String pass : new String[] {null, "secret"}) {
            VrrpPacket ref = VrrpPacket.v2(51, 150, 3, VIPS, pass);
            GroupExpectations fieldByField = new GroupExpectations(2, 51, 3, new HashSet<>(VIPS), ref.authType(),
                    ref.authData(), true, new HashSet<>(peers), Set.of(SRC));
            assertEquals(fieldByField, GroupExpectations.of(VrrpPacket.advert(2, 51, 150, 300, VIPS, pass), peers,
                    Set.of(SRC)));
        }
        VrrpPacket ref = VrrpPacket.v3(51, 150, 100, VIPS);
        GroupExpectations fieldByField = new GroupExpectations(3, 51, 100, new HashSet<>(VIPS), ref.authType(),
                ref.authData(), false, Set.of(), Set.of(SRC));
        assertEquals(fieldByField, GroupExpectations.of(VrrpPacket.advert(3, 51, 150, 100, VIPS, null), List.of(),
                Set.of(SRC)));
    }

    @Property
    void v3AdvertEncodesAsTheV3Factory(@ForAll @IntRange(min = 1, max = 255) int vrid,
                                       @ForAll @IntRange(min = 0, max = 255) int priority,
                                       @ForAll @IntRange(min = 1, max = 4095) int centis,
                                       @ForAll("vips") List<InetAddress> vips) {
        VrrpPacket advert = VrrpPacket.advert(3, vrid, priority, centis, vips, null);
        assertArrayEquals(encode(VrrpPacket.v3(vrid, priority, centis, vips), SRC, GROUP), encode(advert, SRC, GROUP));
        assertEquals(centis, advert.advertIntervalCentis());
    }

    @Property
    void v2AdvertEncodesAsTheV2Factory(@ForAll @IntRange(min = 1, max = 255) int vrid,
                                       @ForAll @IntRange(min = 0, max = 255) int priority,
                                       @ForAll @IntRange(min = 1, max = 255) int seconds,
                                       @ForAll("vips") List<InetAddress> vips,
                                       @ForAll("passwords") String pass) {
        String passOrNull = pass.isEmpty() ? null : pass;
        VrrpPacket advert = VrrpPacket.advert(2, vrid, priority, seconds * 100, vips, passOrNull);
        assertArrayEquals(encode(VrrpPacket.v2(vrid, priority, seconds, vips, passOrNull), SRC, GROUP),
                encode(advert, SRC, GROUP));
        assertEquals(seconds * 100, advert.advertIntervalCentis());
        assertEquals(seconds, VrrpPacket.wireInterval(2, advert.advertIntervalCentis()));
    }

    @Provide
    Arbitrary<List<InetAddress>> vips() {
        return VrrpCodecPropertiesTest.ipv4().list().ofMaxSize(8);
    }

    @Provide
    Arbitrary<String> passwords() {
        return Arbitraries.strings().ascii().ofMaxLength(12);
    }
}
