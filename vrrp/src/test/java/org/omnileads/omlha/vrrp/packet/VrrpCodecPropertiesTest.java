package org.omnileads.omlha.vrrp.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnileads.omlha.vrrp.packet.TestBytes.checksumField;
import static org.omnileads.omlha.vrrp.packet.TestBytes.decode;
import static org.omnileads.omlha.vrrp.packet.TestBytes.encode;
import static org.omnileads.omlha.vrrp.packet.TestBytes.hex;
import static org.omnileads.omlha.vrrp.packet.TestBytes.pseudoHeader;
import static org.omnileads.omlha.vrrp.packet.TestBytes.rfc1071;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

class VrrpCodecPropertiesTest {

    /** A packet with the IP source and destination it travels with (null: the kernel does the checksum). */
    record Sent(VrrpPacket packet, InetAddress src, InetAddress dst) {
    }

    @Property
    void decodeInvertsEncode(@ForAll("sent") Sent s) throws VrrpCodecException {
        byte[] bytes = encode(s.packet(), s.src(), s.dst());

        assertEquals(VrrpCodec.encodedLength(s.packet()), bytes.length);
        assertEquals(s.packet(), decode(bytes, s.src(), s.dst()));
        if (s.packet().version() == 2) {
            assertEquals(0, rfc1071(bytes), "VRRPv2 checksum over the message");
        } else if (s.src() != null && s.dst() != null) {
            assertEquals(0, rfc1071(pseudoHeader(s.src(), s.dst(), bytes.length), bytes), "VRRPv3 checksum");
        } else {
            assertEquals(0, checksumField(bytes), "left to the kernel");
        }
    }

    /**
     * Any single flipped bit is caught by the checksum or the structure checks. The one exception is the
     * leniency for VRRPv3 over IPv4, which also takes a checksum over the message alone: a flip may happen
     * to make that one valid, and only then may the flipped message decode.
     */
    @Property(tries = 200)
    void everySingleBitFlipIsDetected(@ForAll("checkedBySender") Sent s) {
        byte[] bytes = encode(s.packet(), s.src(), s.dst());
        for (int bit = 0; bit < bytes.length * 8; bit++) {
            byte[] flipped = bytes.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            try {
                VrrpPacket decoded = decode(flipped, s.src(), s.dst());
                boolean legacyChecksumValid = s.packet().version() == 3 && s.src() instanceof Inet4Address
                        && rfc1071(flipped) == 0;
                assertTrue(legacyChecksumValid, "bit " + bit + " flipped in " + hex(bytes) + " decoded to "
                        + decoded);
            } catch (VrrpCodecException expected) {
                assertNotNull(expected.reason());
            }
        }
    }

    @Property(tries = 2000)
    void decodeOfArbitraryBytesThrowsOnlyVrrpCodecException(@ForAll("junk") byte[] junk,
                                                            @ForAll("endpoints") Sent endpoints) {
        byte[] framed = new byte[junk.length + 6];
        System.arraycopy(junk, 0, framed, 3, junk.length);
        byte[] before = framed.clone();
        ByteBuffer in = ByteBuffer.wrap(framed).position(3).limit(3 + junk.length);
        try {
            assertNotNull(VrrpCodec.decode(in, endpoints.src(), endpoints.dst()));
        } catch (VrrpCodecException e) {
            assertNotNull(e.reason());
            assertTrue(!e.getMessage().isEmpty());
        }
        assertEquals(3, in.position());
        assertEquals(3 + junk.length, in.limit());
        assertArrayEquals(before, framed);
    }

    @Property(tries = 2000)
    void ipv4DatagramSplitOfArbitraryBytesThrowsOnlyVrrpCodecException(@ForAll("ipJunk") byte[] junk) {
        ByteBuffer in = ByteBuffer.wrap(junk);
        try {
            ReceivedIpv4 ip = Ipv4Datagram.decode(in);
            assertTrue(ip.payloadOffset() >= Ipv4Datagram.MIN_HEADER_LENGTH);
            assertTrue(ip.payloadLength() >= 0);
            assertTrue(ip.payloadOffset() + ip.payloadLength() <= junk.length);
            assertEquals(ip.payloadLength(), ip.payload(in).remaining());
        } catch (VrrpCodecException e) {
            assertEquals(DropReason.MALFORMED, e.reason());
        }
        assertEquals(0, in.position());
    }

    @Provide
    Arbitrary<Sent> sent() {
        return Arbitraries.oneOf(v2(255), v3Ipv4(255), v3Ipv6(255, true));
    }

    @Provide
    Arbitrary<Sent> checkedBySender() {
        return Arbitraries.oneOf(v2(4), v3Ipv4(4), v3Ipv6(3, false));
    }

    @Provide
    Arbitrary<Sent> endpoints() {
        return Arbitraries.oneOf(
                Combinators.combine(ipv4(), ipv4()).as((s, d) -> new Sent(null, s, d)),
                Combinators.combine(ipv6().injectNull(0.3), ipv6().injectNull(0.3))
                        .as((s, d) -> new Sent(null, s, d)));
    }

    /** Random bytes, and valid messages damaged in a few bytes, cut short or extended. */
    @Provide
    Arbitrary<byte[]> junk() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(80);
        Arbitrary<byte[]> damaged = Combinators.combine(sent(),
                Arbitraries.integers().between(0, 90).tuple2().list().ofMaxSize(3),
                Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(-8, 30)))
                .as((s, edits, resize) -> {
                    byte[] bytes = encode(s.packet(), s.src(), s.dst());
                    for (Tuple.Tuple2<Integer, Integer> edit : edits) {
                        if (edit.get1() < bytes.length) {
                            bytes[edit.get1()] = (byte) (edit.get2() * 37);
                        }
                    }
                    return Arrays.copyOf(bytes, Math.max(0, bytes.length + resize));
                });
        return Arbitraries.oneOf(random, damaged);
    }

    /** Random bytes, some starting like an IPv4 header. */
    @Provide
    Arbitrary<byte[]> ipJunk() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(80);
        Arbitrary<byte[]> ipv4Like = Combinators.combine(random, Arbitraries.integers().between(0, 15),
                Arbitraries.integers().between(0, 100))
                .as((bytes, ihl, totalLength) -> {
                    byte[] b = Arrays.copyOf(bytes, Math.max(bytes.length, 4));
                    b[0] = (byte) (0x40 | ihl);
                    b[2] = 0;
                    b[3] = (byte) (int) totalLength;
                    return b;
                });
        return Arbitraries.oneOf(random, ipv4Like);
    }

    private static Arbitrary<Sent> v2(int maxAddresses) {
        return Combinators.combine(vrid(), priority(), Arbitraries.integers().between(1, 255),
                ipv4().list().ofMaxSize(maxAddresses), Arbitraries.integers().between(0, 255),
                Arbitraries.bytes().array(byte[].class).ofSize(8), ipv4(), ipv4())
                .as((vrid, priority, interval, addresses, authType, authData, src, dst) -> new Sent(
                        new VrrpPacket(2, vrid, priority, interval, addresses, authType, authData), src, dst));
    }

    private static Arbitrary<Sent> v3Ipv4(int maxAddresses) {
        return Combinators.combine(vrid(), priority(), v3Interval(), ipv4().list().ofMaxSize(maxAddresses),
                        ipv4(), ipv4())
                .as((vrid, priority, interval, addresses, src, dst) ->
                        new Sent(VrrpPacket.v3(vrid, priority, interval, addresses), src, dst));
    }

    private static Arbitrary<Sent> v3Ipv6(int maxAddresses, boolean kernelChecksum) {
        double nulls = kernelChecksum ? 0.3 : 0;
        return Combinators.combine(vrid(), priority(), v3Interval(), ipv6().list().ofMaxSize(maxAddresses),
                        ipv6().injectNull(nulls), ipv6().injectNull(nulls))
                .as((vrid, priority, interval, addresses, src, dst) ->
                        new Sent(VrrpPacket.v3(vrid, priority, interval, addresses), src, dst));
    }

    private static Arbitrary<Integer> vrid() {
        return Arbitraries.integers().between(1, 255);
    }

    private static Arbitrary<Integer> priority() {
        return Arbitraries.integers().between(0, 255);
    }

    private static Arbitrary<Integer> v3Interval() {
        return Arbitraries.integers().between(1, VrrpPacket.V3_MAX_INTERVAL_CENTIS);
    }

    static Arbitrary<InetAddress> ipv4() {
        return Arbitraries.bytes().array(byte[].class).ofSize(4).map(b -> {
            try {
                return InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static Arbitrary<InetAddress> ipv6() {
        return Arbitraries.bytes().array(byte[].class).ofSize(16).map(TestBytes::ipv6);
    }
}
