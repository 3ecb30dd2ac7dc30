package org.omnileads.omlha.vrrp.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.linux.Linux;

/** The hand-laid C structures, byte for byte, as x86-64 Linux expects them. */
class NativeStructsTest {
    private static final HexFormat HEX = HexFormat.of();

    @BeforeAll
    static void littleEndian64() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "layouts are for 64-bit little-endian Linux");
    }

    @Test
    void sockaddrInHasFamilyInHostOrderAndAddressInNetworkOrder() throws Exception {
        ByteBuffer b = NativeStructs.allocate(20);
        b.put(0, (byte) 0x5a);
        int length = NativeStructs.putSockaddrIn(b, 2, InetAddress.getByName("224.0.0.18").getAddress());
        assertEquals(16, length);
        assertEquals("5a00" + "0200" + "0000" + "e0000012" + "0000000000000000" + "0000", hex(b));
    }

    @Test
    void sockaddrIn6CarriesTheScopeIdInHostOrder() throws Exception {
        ByteBuffer b = NativeStructs.allocate(28);
        int length = NativeStructs.putSockaddrIn6(b, 0, InetAddress.getByName("ff02::12").getAddress(), 0x0304);
        assertEquals(28, length);
        assertEquals("0a00" + "0000" + "00000000" + "ff020000000000000000000000000012" + "04030000", hex(b));
    }

    @Test
    void ipMreqnIsGroupThenLocalAddressThenIfindex() throws Exception {
        ByteBuffer b = NativeStructs.allocate(NativeStructs.IP_MREQN_SIZE);
        NativeStructs.putIpMreqn(b, 0, InetAddress.getByName("224.0.0.18").getAddress(),
                InetAddress.getByName("192.0.2.1").getAddress(), 7);
        assertEquals("e0000012" + "c0000201" + "07000000", hex(b));
    }

    @Test
    void ipv6MreqIsGroupThenIfindex() throws Exception {
        ByteBuffer b = NativeStructs.allocate(NativeStructs.IPV6_MREQ_SIZE);
        NativeStructs.putIpv6Mreq(b, 0, InetAddress.getByName("ff02::12").getAddress(), 258);
        assertEquals("ff020000000000000000000000000012" + "02010000", hex(b));
    }

    @Test
    void msghdrHasPaddingAfterNameLengthAndSizeTLengths() {
        ByteBuffer b = NativeStructs.allocate(NativeStructs.MSGHDR_SIZE);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) 0xee);
        }
        NativeStructs.putMsghdr(b, 0, 0x1122334455667788L, 28, 0x0102030405060708L, 1, 0x00000000aabbccddL, 128);
        assertEquals("8877665544332211" + "1c000000" + "00000000"
                + "0807060504030201" + "0100000000000000"
                + "ddccbbaa00000000" + "8000000000000000"
                + "00000000" + "00000000", hex(b));
    }

    @Test
    void iovecIsBaseThenLength() {
        ByteBuffer b = NativeStructs.allocate(NativeStructs.IOVEC_SIZE);
        NativeStructs.putIovec(b, 0, 0x7f0000001000L, 1500);
        assertEquals("00100000007f0000" + "dc05000000000000", hex(b));
    }

    @Test
    void pktinfoControlMessageForIpv4() throws Exception {
        assertEquals(28, NativeStructs.cmsgLength(NativeStructs.IN_PKTINFO_SIZE));
        assertEquals(32, NativeStructs.cmsgSpace(NativeStructs.IN_PKTINFO_SIZE));
        ByteBuffer b = NativeStructs.allocate(32);
        int data = NativeStructs.putCmsgHeader(b, 0, Linux.IPPROTO_IP, Linux.IP_PKTINFO, NativeStructs.IN_PKTINFO_SIZE);
        NativeStructs.putInPktinfo(b, data, 3, InetAddress.getByName("192.0.2.11").getAddress());
        assertEquals(16, data);
        assertEquals("1c00000000000000" + "00000000" + "08000000"
                + "03000000" + "c000020b" + "00000000" + "00000000", hex(b));
    }

    @Test
    void pktinfoControlMessageForIpv6() throws Exception {
        assertEquals(36, NativeStructs.cmsgLength(NativeStructs.IN6_PKTINFO_SIZE));
        assertEquals(40, NativeStructs.cmsgSpace(NativeStructs.IN6_PKTINFO_SIZE));
        ByteBuffer b = NativeStructs.allocate(40);
        int data = NativeStructs.putCmsgHeader(b, 0, Linux.IPPROTO_IPV6, Linux.IPV6_PKTINFO,
                NativeStructs.IN6_PKTINFO_SIZE);
        NativeStructs.putIn6Pktinfo(b, data, InetAddress.getByName("fe80::1").getAddress(), 2);
        assertEquals("2400000000000000" + "29000000" + "32000000"
                + "fe800000000000000000000000000001" + "02000000" + "00000000", hex(b));
    }

    @Test
    void timespecSplitsNanosIntoSecondsAndNanoseconds() {
        ByteBuffer b = NativeStructs.allocate(NativeStructs.TIMESPEC_SIZE);
        NativeStructs.putTimespec(b, 0, 2_000_000_500L);
        assertEquals("0200000000000000" + "f401000000000000", hex(b));
        NativeStructs.putTimespec(b, 0, Long.MAX_VALUE);
        assertEquals(Long.MAX_VALUE / 1_000_000_000L, b.getLong(0));
        assertEquals(Long.MAX_VALUE % 1_000_000_000L, b.getLong(8));
    }

    @Test
    void pollfdIsFdEventsRevents() {
        ByteBuffer b = NativeStructs.allocate(16);
        b.putShort(8 + NativeStructs.POLLFD_REVENTS, (short) 0x7777);
        NativeStructs.putPollfd(b, 8, 5, Linux.POLLIN);
        assertEquals("0000000000000000" + "05000000" + "0100" + "0000", hex(b));
    }

    @Test
    void controlMessagesGiveHopLimitDestinationAndInterface() throws Exception {
        ByteBuffer b = NativeStructs.allocate(128);
        int at = 8;
        int hop = NativeStructs.putCmsgHeader(b, at, Linux.IPPROTO_IPV6, Linux.IPV6_HOPLIMIT, 4);
        b.putInt(hop, 255);
        int next = at + NativeStructs.cmsgSpace(4);
        int info = NativeStructs.putCmsgHeader(b, next, Linux.IPPROTO_IPV6, Linux.IPV6_PKTINFO,
                NativeStructs.IN6_PKTINFO_SIZE);
        NativeStructs.putIn6Pktinfo(b, info, InetAddress.getByName("ff02::12").getAddress(), 9);
        int length = NativeStructs.cmsgSpace(4) + NativeStructs.cmsgSpace(NativeStructs.IN6_PKTINFO_SIZE);

        ReceivedDatagram d = new ReceivedDatagram(64);
        d.reset(Linux.AF_INET6);
        NativeStructs.readControlMessages(b, at, length, d);
        assertEquals(255, d.ttlOrHopLimit());
        assertEquals(9, d.ifIndex());
        assertArrayEquals(InetAddress.getByName("ff02::12").getAddress(), d.destinationBytes());
    }

    @Test
    void aControlMessageLongerThanTheControlDataEndsTheWalk() {
        ByteBuffer b = NativeStructs.allocate(64);
        int hop = NativeStructs.putCmsgHeader(b, 0, Linux.IPPROTO_IPV6, Linux.IPV6_HOPLIMIT, 4);
        b.putInt(hop, 255);
        ReceivedDatagram d = new ReceivedDatagram(64);
        d.reset(Linux.AF_INET6);
        NativeStructs.readControlMessages(b, 0, NativeStructs.cmsgLength(4) - 1, d);
        assertEquals(-1, d.ttlOrHopLimit());
    }

    @Test
    void ipv4PktinfoGivesTheInterface() {
        ByteBuffer b = NativeStructs.allocate(32);
        int data = NativeStructs.putCmsgHeader(b, 0, Linux.IPPROTO_IP, Linux.IP_PKTINFO, NativeStructs.IN_PKTINFO_SIZE);
        NativeStructs.putInPktinfo(b, data, 4, new byte[4]);
        ReceivedDatagram d = new ReceivedDatagram(64);
        d.reset(Linux.AF_INET);
        NativeStructs.readControlMessages(b, 0, 32, d);
        assertEquals(4, d.ifIndex());
    }

    @Test
    void ipv6LinkLocalSourceIsScopedToTheArrivalInterface() throws Exception {
        ReceivedDatagram d = fill(Linux.AF_INET6, new byte[8]);
        System.arraycopy(InetAddress.getByName("fe80::1").getAddress(), 0, d.source6, 0, 16);
        System.arraycopy(InetAddress.getByName("2001:db8::2").getAddress(), 0, d.destination6, 0, 16);
        d.ifIndex = 3;
        assertEquals(3, ((Inet6Address) d.source()).getScopeId());
        assertEquals(0, ((Inet6Address) d.destination()).getScopeId());
        assertEquals(InetAddress.getByName("2001:db8::2"), d.destination());
    }

    @Property(tries = 2000)
    void controlMessageWalkNeverThrows(@ForAll @Size(max = 128) byte[] control, @ForAll @IntRange(min = 0, max = 128) int length) {
        ByteBuffer b = NativeStructs.allocate(128);
        b.put(0, control);
        ReceivedDatagram d = new ReceivedDatagram(16);
        d.reset(Linux.AF_INET6);
        NativeStructs.readControlMessages(b, 0, length, d);
    }

    private static ReceivedDatagram fill(int family, byte[] datagram) {
        ReceivedDatagram d = new ReceivedDatagram(128);
        d.reset(family);
        d.buffer.clear();
        d.buffer.put(0, datagram);
        d.length = datagram.length;
        d.messageEnd = datagram.length;
        return d;
    }

    private static String hex(ByteBuffer b) {
        ByteBuffer view = b.duplicate();
        if (view.position() == 0 && view.limit() == view.capacity()) {
            view.clear();
        }
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return HEX.formatHex(bytes);
    }
}
