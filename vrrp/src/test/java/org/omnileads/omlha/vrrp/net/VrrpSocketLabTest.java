package org.omnileads.omlha.vrrp.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.omnileads.omlha.netns.NetnsLab.NIC;

import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;
import org.omnileads.omlha.linux.NativeException;
import org.omnileads.omlha.netns.NetnsLab;
import org.omnileads.omlha.vrrp.packet.DropReason;

/**
 * VRRP datagrams between two hosts of a {@link NetnsLab} (network namespaces cabled to one bridge), {@code a} with
 * 192.0.2.1/24 (and secondary 192.0.2.11/24), 2001:db8::1/64 and {@code vdown}, a veth left down with
 * 198.51.100.1/24; {@code b} with 192.0.2.2/24, 2001:db8::2/64. Needs root; run with {@code -Dgroups=lab -DexcludedGroups=}.
 */
@Tag("lab")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VrrpSocketLabTest {
    private static final long WAIT_STEP_NANOS = 100_000_000L;
    /** An interface of host a only, left down. */
    private static final String DOWN_IF = "vdown";
    private static final Inet4Address A4 = v4("192.0.2.1");
    private static final Inet4Address A4_SECONDARY = v4("192.0.2.11");
    private static final Inet4Address B4 = v4("192.0.2.2");
    private static final Inet6Address B6_GLOBAL = v6("2001:db8::2");
    /** VRRPv3 advert, VRID 51, priority 150, 1 address, 100 cs, checksum 0xabcd (not checked on IPv4 here). */
    private static final byte[] ADVERT4 = HexFormat.of().parseHex("31339601" + "0064abcd" + "c0000264");
    /** VRRPv3 advert over IPv6 with a zero checksum for the kernel to fill; address 2001:db8::100. */
    private static final byte[] ADVERT6 = HexFormat.of().parseHex("31339601" + "00640000" + "20010db8000000000000000000000100");

    private static NetnsLab lab;
    private static NetnsLab.Host hostA;
    private static NetnsLab.Host hostB;

    @BeforeAll
    static void createNetwork() throws Exception {
        lab = NetnsLab.create();
        hostA = lab.addHost("a", "192.0.2.1/24", "2001:db8::1/64");
        hostB = lab.addHost("b", "192.0.2.2/24", "2001:db8::2/64");
        lab.ip(hostA, "addr", "add", "192.0.2.11/24", "dev", NIC);
        lab.ip(hostA, "link", "add", DOWN_IF, "type", "veth", "peer", "name", "vdownpeer");
        lab.ip(hostA, "addr", "add", "198.51.100.1/24", "dev", DOWN_IF);
        lab.linkLocal(hostA);
        lab.linkLocal(hostB);
    }

    @AfterAll
    static void removeNetwork() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void ipv4MulticastArrivesWithTtl255AndIsNotLoopedBackToTheSender() throws Exception {
        try (VrrpSocket a = lab.call(hostA, () -> VrrpSocket.openIpv4(NIC, A4));
             VrrpSocket b = lab.call(hostB, () -> VrrpSocket.openIpv4(NIC, B4))) {
            a.send(ByteBuffer.wrap(ADVERT4), VrrpSocket.IPV4_GROUP);

            ReceivedDatagram got = new ReceivedDatagram();
            assertTrue(receiveWithin5s(b, got), "b received nothing");
            assertEquals(Linux.AF_INET, got.family());
            assertEquals(255, got.ttlOrHopLimit());
            assertEquals(Linux.IPPROTO_VRRP, got.protocol());
            assertEquals(A4, got.source());
            assertEquals(VrrpSocket.IPV4_GROUP, got.destination());
            assertEquals(b.ifIndex(), got.ifIndex());
            assertEquals(20, got.ipHeaderLength());
            assertArrayEquals(ADVERT4, bytes(got.message()));
            assertEquals(20 + ADVERT4.length, got.datagram().remaining());

            assertFalse(receiveWithin(a, new ReceivedDatagram(), 3), "the sender received its own multicast");
        }
    }

    @Test
    void withMulticastLoopSwitchedOnTheSenderWouldHearItself() throws Exception {
        // Control for the test above: its "not looped back" check does detect a looped datagram.
        try (VrrpSocket a = lab.call(hostA, () -> VrrpSocket.openIpv4(NIC, A4))) {
            ByteBuffer one = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, 1);
            Native.check(Native.LIBC.setsockopt(a.fd(), Linux.IPPROTO_IP, Linux.IP_MULTICAST_LOOP, one, 4), "loop on");
            a.send(ByteBuffer.wrap(ADVERT4), VrrpSocket.IPV4_GROUP);
            ReceivedDatagram got = new ReceivedDatagram();
            assertTrue(receiveWithin5s(a, got));
            assertArrayEquals(ADVERT4, bytes(got.message()));
        }
    }

    @Test
    void ipv4UnicastArrivesAtThePeerAddressWithTtl255() throws Exception {
        try (VrrpSocket a = lab.call(hostA, () -> VrrpSocket.openIpv4(NIC, A4));
             VrrpSocket b = lab.call(hostB, () -> VrrpSocket.openIpv4(NIC, B4))) {
            a.send(ByteBuffer.wrap(ADVERT4), B4);

            ReceivedDatagram got = new ReceivedDatagram();
            assertTrue(receiveWithin5s(b, got));
            assertEquals(A4, got.source());
            assertEquals(B4, got.destination());
            assertEquals(255, got.ttlOrHopLimit());
            assertArrayEquals(ADVERT4, bytes(got.message()));
        }
    }

    @Test
    void ipv4SourceIsTheGivenAddressEvenWhenItIsNotThePrimary() throws Exception {
        try (VrrpSocket a = lab.call(hostA, () -> VrrpSocket.openIpv4(NIC, A4_SECONDARY));
             VrrpSocket b = lab.call(hostB, () -> VrrpSocket.openIpv4(NIC, B4))) {
            ReceivedDatagram got = new ReceivedDatagram();
            for (InetAddress destination : new InetAddress[] {VrrpSocket.IPV4_GROUP, B4, VrrpSocket.IPV4_GROUP}) {
                a.send(ByteBuffer.wrap(ADVERT4), destination);
                assertTrue(receiveWithin5s(b, got), "nothing for " + destination);
                assertEquals(A4_SECONDARY, got.source());
                assertEquals(destination, got.destination());
            }
        }
    }

    @Test
    void ipv6MulticastArrivesWithHopLimit255AndAKernelComputedChecksum() throws Exception {
        Inet6Address aLinkLocal = lab.call(hostA, () -> Interfaces.ipv6LinkLocal(NIC)).orElseThrow();
        try (VrrpSocket a = lab.call(hostA, () -> VrrpSocket.openIpv6(NIC));
             VrrpSocket b = lab.call(hostB, () -> VrrpSocket.openIpv6(NIC))) {
            a.send(ByteBuffer.wrap(ADVERT6), VrrpSocket.IPV6_GROUP);

            ReceivedDatagram got = new ReceivedDatagram();
            assertTrue(receiveWithin5s(b, got), "b received nothing");
            assertEquals(Linux.AF_INET6, got.family());
            assertEquals(255, got.ttlOrHopLimit());
            assertArrayEquals(aLinkLocal.getAddress(), got.sourceBytes());
            assertEquals(b.ifIndex(), ((Inet6Address) got.source()).getScopeId());
            assertArrayEquals(VrrpSocket.IPV6_GROUP.getAddress(), got.destinationBytes());
            assertEquals(b.ifIndex(), got.ifIndex());
            assertEquals(0, got.ipHeaderLength());

            byte[] message = bytes(got.message());
            assertEquals(ADVERT6.length, message.length);
            int checksum = (message[6] & 0xff) << 8 | message[7] & 0xff;
            assertNotEquals(0, checksum, "the kernel did not fill the checksum");
            assertArrayEquals(withoutChecksum(ADVERT6), withoutChecksum(message));
            assertEquals(0xffff, pseudoHeaderSum(got.sourceBytes(), got.destinationBytes(), message),
                    "checksum 0x" + Integer.toHexString(checksum) + " does not cover the IPv6 pseudo-header");

            assertFalse(receiveWithin(a, new ReceivedDatagram(), 3), "the sender received its own multicast");
        }
    }

    @Test
    void ipv6UnicastReachesAGlobalAndALinkLocalPeer() throws Exception {
        Inet6Address bLinkLocal = lab.call(hostB, () -> Interfaces.ipv6LinkLocal(NIC)).orElseThrow();
        Inet6Address bLinkLocalUnscoped = (Inet6Address) InetAddress.getByAddress(bLinkLocal.getAddress());
        try (VrrpSocket a = lab.call(hostA, () -> VrrpSocket.openIpv6(NIC));
             VrrpSocket b = lab.call(hostB, () -> VrrpSocket.openIpv6(NIC))) {
            ReceivedDatagram got = new ReceivedDatagram();
            for (Inet6Address peer : new Inet6Address[] {B6_GLOBAL, bLinkLocalUnscoped}) {
                a.send(ByteBuffer.wrap(ADVERT6), peer);
                assertTrue(receiveWithin5s(b, got), "nothing for " + peer);
                assertArrayEquals(peer.getAddress(), got.destinationBytes());
                assertEquals(255, got.ttlOrHopLimit());
                assertEquals(0xffff, pseudoHeaderSum(got.sourceBytes(), got.destinationBytes(), bytes(got.message())));
            }
        }
    }

    @Test
    void pollerWakesWhenTheSocketHasData() throws Exception {
        try (VrrpSocket a = lab.call(hostA, () -> VrrpSocket.openIpv4(NIC, A4));
             VrrpSocket b = lab.call(hostB, () -> VrrpSocket.openIpv4(NIC, B4));
             Poller poller = new Poller()) {
            poller.register(b.fd());
            poller.register(a.fd());
            assertEquals(0, poller.await(1_000_000L), "ready before anything was sent");

            a.send(ByteBuffer.wrap(ADVERT4), VrrpSocket.IPV4_GROUP);
            assertEquals(1, poller.await(TimeUnit.SECONDS.toNanos(10)));
            assertTrue(poller.isReadable(b.fd()));
            assertFalse(poller.isReadable(a.fd()));
            assertTrue(b.receive(new ReceivedDatagram()));
            assertFalse(b.receive(new ReceivedDatagram()), "one datagram sent, two received");
        }
    }

    @Test
    void aSendThatTheKernelRefusesNamesTheDestinationAndTheInterface() throws Exception {
        try (VrrpSocket down = lab.call(hostA,
                () -> VrrpSocket.openIpv4(DOWN_IF, v4("198.51.100.1")))) {
            NativeException e = assertThrows(NativeException.class,
                    () -> down.send(ByteBuffer.wrap(ADVERT4), VrrpSocket.IPV4_GROUP));
            assertTrue(e.getMessage().startsWith("sendmsg(224.0.0.18 from 198.51.100.1 on vdown): "), e.getMessage());
            assertTrue(e.getMessage().endsWith("(errno " + e.errno() + ")"), e.getMessage());
            assertTrue(e.errno() == Linux.ENETDOWN || e.errno() == Linux.ENETUNREACH, e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void sendPollAndReceiveAllocateNothingOnceWarm(boolean ipv6) throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        try (VrrpSocket a = lab.call(hostA,
                     () -> ipv6 ? VrrpSocket.openIpv6(NIC) : VrrpSocket.openIpv4(NIC, A4));
             VrrpSocket b = lab.call(hostB,
                     () -> ipv6 ? VrrpSocket.openIpv6(NIC) : VrrpSocket.openIpv4(NIC, B4));
             Poller poller = new Poller()) {
            poller.register(b.fd());
            ByteBuffer advert = ByteBuffer.wrap(ipv6 ? ADVERT6 : ADVERT4);
            InetAddress group = ipv6 ? VrrpSocket.IPV6_GROUP : VrrpSocket.IPV4_GROUP;
            ReceivedDatagram got = new ReceivedDatagram();
            int cycles = 2000;
            exchange(a, b, poller, advert, group, got, cycles);

            long before = threads.getCurrentThreadAllocatedBytes();
            int received = exchange(a, b, poller, advert, group, got, cycles);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;

            assertEquals(cycles, received);
            // One object per cycle would be at least 16 bytes each; what remains is JIT and JNR bookkeeping noise.
            assertTrue(allocated < cycles * 8L, allocated + " bytes allocated in " + cycles + " send/poll/receive cycles");
        }
    }

    private static int exchange(VrrpSocket a, VrrpSocket b, Poller poller, ByteBuffer advert, InetAddress group,
                                ReceivedDatagram got, int cycles) {
        int received = 0;
        for (int i = 0; i < cycles; i++) {
            a.send(advert, group);
            poller.await(TimeUnit.SECONDS.toNanos(5));
            while (b.receive(got)) {
                received++;
            }
        }
        return received;
    }

    /**
     * The kernel cuts what does not fit and says so; the IPv4 total length then exceeds the bytes received,
     * so the message is not handed on for decoding: it is dropped as malformed.
     */
    @Test
    void aDatagramLongerThanTheHolderIsCutMarkedAndDropped() throws Exception {
        try (VrrpSocket a = lab.call(hostA, () -> VrrpSocket.openIpv4(NIC, A4));
             VrrpSocket b = lab.call(hostB, () -> VrrpSocket.openIpv4(NIC, B4))) {
            a.send(ByteBuffer.wrap(ADVERT4), B4);
            ReceivedDatagram small = new ReceivedDatagram(24);
            assertTrue(receiveWithin5s(b, small));
            assertTrue(small.truncated());
            byte[] received = bytes(small.datagram());
            assertEquals(24, received.length);
            assertArrayEquals(Arrays.copyOf(ADVERT4, 4), Arrays.copyOfRange(received, 20, 24));
            assertEquals(DropReason.MALFORMED, small.dropReason());
            assertEquals("IPv4 total length " + (20 + ADVERT4.length) + " exceeds the 24 bytes received",
                    small.dropDetail());
            assertEquals(0, small.message().remaining());

            a.send(ByteBuffer.wrap(ADVERT4), B4);
            ReceivedDatagram got = new ReceivedDatagram();
            assertTrue(receiveWithin5s(b, got));
            assertNull(got.dropReason());
            assertArrayEquals(ADVERT4, bytes(got.message()));
        }
    }

    @Test
    void closeIsIdempotentAndAClosedSocketRefusesWork() throws Exception {
        VrrpSocket a = lab.call(hostA, () -> VrrpSocket.openIpv6(NIC));
        assertTrue(a.fd() >= 0);
        a.close();
        a.close();
        assertEquals(-1, a.fd());
        assertThrows(IllegalStateException.class, () -> a.send(ByteBuffer.wrap(ADVERT6), VrrpSocket.IPV6_GROUP));
        assertThrows(IllegalStateException.class, () -> a.receive(new ReceivedDatagram()));
    }

    @Test
    void aDestinationOfTheOtherFamilyIsRefused() throws Exception {
        try (VrrpSocket a = lab.call(hostA, () -> VrrpSocket.openIpv4(NIC, A4))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> a.send(ByteBuffer.wrap(ADVERT4), VrrpSocket.IPV6_GROUP));
            assertTrue(e.getMessage().startsWith("cannot send to ff02:0:0:0:0:0:0:12 on VrrpSocket[IPv4 on eth0"),
                    e.getMessage());
        }
    }

    @Test
    void interfaceHelpersSeeTheNamespaceOfTheCallingThread() throws Exception {
        assertEquals(A4, lab.call(hostA, () -> Interfaces.primaryIpv4(NIC)).orElseThrow());
        assertEquals(B4, lab.call(hostB, () -> Interfaces.primaryIpv4(NIC)).orElseThrow());
        Inet6Address linkLocal = lab.call(hostA, () -> Interfaces.ipv6LinkLocal(NIC)).orElseThrow();
        int ifIndex = lab.call(hostA, () -> Interfaces.ifIndex(NIC));
        assertTrue(linkLocal.isLinkLocalAddress());
        assertEquals(ifIndex, linkLocal.getScopeId());
        assertTrue(lab.call(hostA, () -> Interfaces.addresses(NIC)).contains(A4_SECONDARY));
        assertTrue(lab.call(hostA, () -> Interfaces.ifIndex(DOWN_IF)) > 0);
        NativeException missing = assertThrows(NativeException.class,
                () -> lab.call(hostB, () -> Interfaces.ifIndex(DOWN_IF)));
        assertEquals(Linux.ENODEV, missing.errno());
    }

    /** Tries to receive, waiting on a poller between tries, for at most {@code steps} × 100 ms. */
    private static boolean receiveWithin(VrrpSocket socket, ReceivedDatagram into, int steps) {
        try (Poller poller = new Poller()) {
            poller.register(socket.fd());
            for (int step = 0; step < steps; step++) {
                if (socket.receive(into)) {
                    return true;
                }
                poller.await(WAIT_STEP_NANOS);
            }
            return socket.receive(into);
        }
    }

    private static boolean receiveWithin5s(VrrpSocket socket, ReceivedDatagram into) {
        return receiveWithin(socket, into, 50);
    }

    /** The ones' complement sum over the IPv6 pseudo-header (RFC 8200 §8.1) and the message; 0xffff when valid. */
    static int pseudoHeaderSum(byte[] source, byte[] destination, byte[] message) {
        ByteBuffer all = ByteBuffer.allocate(40 + message.length + 1);
        all.put(source).put(destination).putInt(message.length).put(new byte[3]).put((byte) Linux.IPPROTO_VRRP);
        all.put(message);
        long sum = 0;
        for (int i = 0; i + 1 < 40 + message.length + 1; i += 2) {
            sum += (all.get(i) & 0xff) << 8 | all.get(i + 1) & 0xff;
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) sum;
    }

    private static byte[] withoutChecksum(byte[] message) {
        byte[] copy = Arrays.copyOf(message, message.length);
        copy[6] = 0;
        copy[7] = 0;
        return copy;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    private static Inet4Address v4(String literal) {
        return (Inet4Address) address(literal);
    }

    private static Inet6Address v6(String literal) {
        return (Inet6Address) address(literal);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
