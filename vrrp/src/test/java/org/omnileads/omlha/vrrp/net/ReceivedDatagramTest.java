package org.omnileads.omlha.vrrp.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.vrrp.packet.DropReason;
import org.omnileads.omlha.vrrp.packet.Ipv4Datagram;
import org.omnileads.omlha.vrrp.packet.ReceivedIpv4;
import org.omnileads.omlha.vrrp.packet.VrrpCodecException;

/** The receive path's split of an IPv4 datagram: the one parser, {@link Ipv4Datagram}, into the reused holder. */
class ReceivedDatagramTest {
    private static final HexFormat HEX = HexFormat.of();
    // 192.0.2.1 -> 224.0.0.18, TTL 255, protocol 112, total length 32, then a 12-byte VRRPv3 message.
    private static final byte[] DATAGRAM = HEX.parseHex("45c00020" + "00004000" + "ff700000" + "c0000201"
            + "e0000012" + "31339601" + "0064d371" + "c0000264");

    @Test
    void ipv4HeaderWithOptionsPutsTheMessageAfterIhlWords() throws Exception {
        // IHL 6: a 24-byte header with a router-alert option, TTL 255, protocol 112, 192.0.2.1 -> 224.0.0.18
        byte[] datagram = HEX.parseHex("46c00024" + "00004000" + "ff700000" + "c0000201" + "e0000012" + "94040000"
                + "31339601" + "0064abcd" + "c0000264");
        ReceivedDatagram d = fill(datagram);
        d.readIpv4Header();
        assertNull(d.dropReason());
        assertEquals(24, d.ipHeaderLength());
        assertEquals(255, d.ttlOrHopLimit());
        assertEquals(112, d.protocol());
        assertEquals(InetAddress.getByName("192.0.2.1"), d.source());
        assertEquals(InetAddress.getByName("224.0.0.18"), d.destination());
        assertEquals("313396010064abcdc0000264", hex(d.message()));
        assertEquals(datagram.length, d.datagram().remaining());
    }

    @Test
    void anImpossibleIpv4HeaderLeavesAnEmptyMessage() {
        ReceivedDatagram d = fill(HEX.parseHex("4f000024" + "00004000" + "ff700000" + "c0000201" + "e0000012"));
        d.readIpv4Header();
        assertEquals(0, d.message().remaining());
        assertEquals(-1, d.ttlOrHopLimit());
        assertEquals(DropReason.MALFORMED, d.dropReason());
        assertEquals("IPv4 header length 60 bytes exceeds the 20 bytes received", d.dropDetail());
    }

    /** The check the receive path used to skip: a datagram cut short (a buffer too small) is not decoded. */
    @Test
    void aTotalLengthBeyondTheBytesReceivedIsDropped() {
        ReceivedDatagram d = fill(Arrays.copyOf(DATAGRAM, 30));
        d.readIpv4Header();
        assertEquals(DropReason.MALFORMED, d.dropReason());
        assertEquals("IPv4 total length 32 exceeds the 30 bytes received", d.dropDetail());
        assertEquals(0, d.message().remaining());
        assertEquals(-1, d.ttlOrHopLimit());
        assertEquals(-1, d.protocol());
        assertArrayEquals(new byte[4], d.sourceBytes());
        assertTrue(d.toString().endsWith(", malformed: IPv4 total length 32 exceeds the 30 bytes received]"),
                d.toString());
    }

    @Test
    void aTotalLengthShorterThanTheHeaderIsDropped() {
        byte[] datagram = DATAGRAM.clone();
        datagram[3] = 16;
        ReceivedDatagram d = fill(datagram);
        d.readIpv4Header();
        assertEquals(DropReason.MALFORMED, d.dropReason());
        assertEquals("IPv4 total length 16 is shorter than its 20-byte header", d.dropDetail());
        assertEquals(0, d.message().remaining());
    }

    /** Bytes beyond the total length (link padding; Linux trims it before a raw socket sees it) are not the message. */
    @Test
    void theMessageEndsWhereTheTotalLengthSays() {
        ReceivedDatagram d = fill(Arrays.copyOf(DATAGRAM, DATAGRAM.length + 6));
        d.readIpv4Header();
        assertNull(d.dropReason());
        assertEquals("313396010064d371c0000264", hex(d.message()));
        assertEquals(DATAGRAM.length + 6, d.datagram().remaining());
    }

    @Test
    void aReusedHolderForgetsTheLastDrop() {
        ReceivedDatagram d = fill(Arrays.copyOf(DATAGRAM, 19));
        d.readIpv4Header();
        assertEquals(DropReason.MALFORMED, d.dropReason());
        refill(d, DATAGRAM);
        d.readIpv4Header();
        assertNull(d.dropReason());
        assertNull(d.dropDetail());
        assertEquals(255, d.ttlOrHopLimit());
        assertEquals("313396010064d371c0000264", hex(d.message()));
    }

    /** The receive path stays allocation-free: reading a valid header, again and again, allocates nothing. */
    @Test
    void readingAValidHeaderAllocatesNothing() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs HotSpot's per-thread allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ReceivedDatagram d = fill(DATAGRAM);
        int ttls = 0;
        for (int i = 0; i < 20_000; i++) { // warm up: class loading and the first calls may allocate
            d.readIpv4Header();
            ttls += d.ttlOrHopLimit();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            d.readIpv4Header();
            ttls += d.ttlOrHopLimit();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(30_000 * 255, ttls);
        assertTrue(allocated < 1_000, allocated + " bytes allocated by 10000 header reads");
    }

    /**
     * Whatever bytes arrive, reading them never throws, the message stays inside what was received, and the
     * holder agrees with {@link Ipv4Datagram#decode}: the same fields when it accepts, the same reason and
     * message when it refuses.
     */
    @Property(tries = 2000)
    void ipv4HeaderReadingNeverThrowsAndAgreesWithTheParser(@ForAll("datagrams") byte[] datagram) {
        ReceivedDatagram d = fill(datagram);
        d.readIpv4Header();
        ByteBuffer message = d.message();
        assertTrue(message.limit() <= datagram.length);
        assertTrue(message.position() <= message.limit());
        try {
            ReceivedIpv4 ip = Ipv4Datagram.decode(ByteBuffer.wrap(datagram));
            assertNull(d.dropReason());
            assertEquals(ip.payloadOffset(), message.position());
            assertEquals(ip.payloadLength(), message.remaining());
            assertEquals(ip.ttl(), d.ttlOrHopLimit());
            assertEquals(ip.protocol(), d.protocol());
            assertArrayEquals(ip.src().getAddress(), d.sourceBytes());
            assertArrayEquals(ip.dst().getAddress(), d.destinationBytes());
        } catch (VrrpCodecException e) {
            assertEquals(e.reason(), d.dropReason());
            assertEquals(e.getMessage(), d.dropDetail());
            assertEquals(0, message.remaining());
            assertEquals(-1, d.ttlOrHopLimit());
        }
    }

    /** Random bytes, some starting like an IPv4 header, some valid with a total length near the bytes sent. */
    @Provide
    Arbitrary<byte[]> datagrams() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(80);
        Arbitrary<byte[]> version4 = random.filter(bytes -> bytes.length > 0).map(bytes -> {
            bytes[0] = (byte) (0x40 | bytes[0] & 0x0f);
            return bytes;
        });
        Arbitrary<byte[]> nearlyValid = Combinators.combine(Arbitraries.integers().between(5, 7),
                Arbitraries.integers().between(0, 40), Arbitraries.integers().between(-4, 4), random)
                .as((ihl, payload, skew, fill) -> {
                    byte[] b = Arrays.copyOf(fill, ihl * 4 + payload);
                    b[0] = (byte) (0x40 | ihl);
                    int totalLength = Math.max(0, b.length + skew);
                    b[2] = (byte) (totalLength >> 8);
                    b[3] = (byte) totalLength;
                    return b;
                });
        return Arbitraries.oneOf(random, version4, nearlyValid);
    }

    private static ReceivedDatagram fill(byte[] datagram) {
        ReceivedDatagram d = new ReceivedDatagram(128);
        refill(d, datagram);
        return d;
    }

    /** What {@link VrrpSocket#receive} does before it reads the header. */
    private static void refill(ReceivedDatagram d, byte[] datagram) {
        d.reset(Linux.AF_INET);
        d.buffer.clear();
        d.buffer.put(0, datagram);
        d.length = datagram.length;
        d.messageEnd = datagram.length;
    }

    private static String hex(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return HEX.formatHex(bytes);
    }
}
