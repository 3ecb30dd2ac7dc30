package org.omnileads.omlha.vip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.omnileads.omlha.vip.Bytes.assertHex;
import static org.omnileads.omlha.vip.Bytes.hex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.linux.Linux;

/** Byte-exact requests; the literals are little-endian, as on x86-64 and aarch64. */
class NetlinkEncodingTest {
    private final ByteBuffer out = Bytes.nativeBuffer(512);

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the literals are little-endian");
    }

    @Test
    void addIpv4CarriesLocalAddressAndBroadcast() {
        int length = Netlink.newAddress(out, 1, 3, VipAddress.parse("192.0.2.100/24"));
        assertEquals(48, length);
        assertHex("""
                30000000 1400 0506 01000000 00000000
                02 18 00 00 03000000
                0800 0200 c0000264
                0800 0100 c0000264
                0800 0400 c00002ff""", out);
    }

    @Test
    void addIpv6CarriesAddressWithNoDad() {
        int length = Netlink.newAddress(out, 7, 3, VipAddress.parse("2001:db8::10/64"));
        assertEquals(44, length);
        assertHex("""
                2c000000 1400 0506 07000000 00000000
                0a 40 02 00 03000000
                1400 0100 20010db8000000000000000000000010""", out);
    }

    @Test
    void deleteIpv4NamesLocalAndPrefix() {
        int length = Netlink.deleteAddress(out, 2, 3, VipAddress.parse("192.0.2.100/24"));
        assertEquals(40, length);
        assertHex("""
                28000000 1500 0500 02000000 00000000
                02 18 00 00 03000000
                0800 0200 c0000264
                0800 0100 c0000264""", out);
    }

    @Test
    void deleteIpv6() {
        int length = Netlink.deleteAddress(out, 0x01020304, 0x105, VipAddress.parse("2001:db8::10/64"));
        assertEquals(44, length);
        assertHex("""
                2c000000 1500 0500 04030201 00000000
                0a 40 00 00 05010000
                1400 0100 20010db8000000000000000000000010""", out);
    }

    @Test
    void noBroadcastForPointToPointPrefixes() {
        Netlink.newAddress(out, 1, 3, VipAddress.parse("192.0.2.100/32"));
        assertHex("""
                28000000 1400 0506 01000000 00000000
                02 20 00 00 03000000
                0800 0200 c0000264
                0800 0100 c0000264""", out);
        assertEquals(40, Netlink.newAddress(out, 1, 3, VipAddress.parse("192.0.2.100/31")));
    }

    @Test
    void broadcastSetsEveryHostBit() {
        assertArrayEquals(hex("c00002ff"), Netlink.broadcast(hex("c0000264"), 24));
        assertArrayEquals(hex("c000027f"), Netlink.broadcast(hex("c0000264"), 25));
        assertArrayEquals(hex("c0ffffff"), Netlink.broadcast(hex("c0000264"), 8));
        assertArrayEquals(hex("ffffffff"), Netlink.broadcast(hex("c0000264"), 0));
        assertArrayEquals(hex("c0000264"), Netlink.broadcast(hex("c0000264"), 32));
    }

    @Test
    void dumpAddressesOfOneFamily() {
        int length = Netlink.dumpAddresses(out, 9, Linux.AF_INET6);
        assertEquals(24, length);
        assertHex("18000000 1600 0103 09000000 00000000 0a000000 00000000", out);
    }

    @Test
    void getLinkByIndex() {
        assertEquals(32, Netlink.getLink(out, 5, 3));
        assertHex("20000000 1200 0100 05000000 00000000 00 00 0000 03000000 00000000 00000000", out);
    }

    @Test
    void getLinkByNamePadsTheAttributeToFourBytes() {
        assertEquals(44, Netlink.getLink(out, 5, "eth0"));
        assertHex("""
                2c000000 1200 0100 05000000 00000000
                00 00 0000 00000000 00000000 00000000
                0900 0300 65746830 00 000000""", out);
        assertEquals(44, Netlink.getLink(out, 6, "vip0x"));
        assertHex("0a00 0300 7669703078 00 0000", out.slice(32, 12));
    }

    @Test
    void rejectsImpossibleInterfaceNames() {
        assertThrows(IllegalArgumentException.class, () -> Netlink.getLink(out, 1, ""));
        assertThrows(IllegalArgumentException.class, () -> Netlink.getLink(out, 1, "a-name-far-too-long"));
    }

    @Test
    void dumpLinks() {
        assertEquals(32, Netlink.dumpLinks(out, 1));
        assertHex("20000000 1200 0103 01000000 00000000 00 00 0000 00000000 00000000 00000000", out);
    }
}
