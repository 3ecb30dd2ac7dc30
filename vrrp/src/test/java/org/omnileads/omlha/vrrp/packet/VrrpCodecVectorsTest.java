package org.omnileads.omlha.vrrp.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.omnileads.omlha.vrrp.packet.TestBytes.checksumField;
import static org.omnileads.omlha.vrrp.packet.TestBytes.decode;
import static org.omnileads.omlha.vrrp.packet.TestBytes.encode;
import static org.omnileads.omlha.vrrp.packet.TestBytes.hex;
import static org.omnileads.omlha.vrrp.packet.TestBytes.ip;
import static org.omnileads.omlha.vrrp.packet.TestBytes.pseudoHeader;
import static org.omnileads.omlha.vrrp.packet.TestBytes.rfc1071;
import static org.omnileads.omlha.vrrp.packet.TestBytes.zeroChecksum;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Byte-exact reference vectors. Each checksum is checked twice: the vector's bytes against
 * {@link TestBytes#rfc1071} (an independent implementation), and the codec against the vector.
 */
class VrrpCodecVectorsTest {
    static final InetAddress SRC4 = ip("192.0.2.1");
    static final InetAddress PEER4 = ip("192.0.2.2");
    static final InetAddress GROUP4 = ip("224.0.0.18");
    static final InetAddress SRC6 = ip("fe80::1");
    static final InetAddress GROUP6 = ip("ff02::12");

    // VRRPv3 over IPv4, vrid 51, priority 150, 100 cs, one address 192.0.2.100, sent to 224.0.0.18.
    static final byte[] V3_IPV4 = hex("31 33 96 01 00 64 d3 71 c0 00 02 64");
    static final VrrpPacket V3_IPV4_PACKET = VrrpPacket.v3(51, 150, 100, List.of(ip("192.0.2.100")));

    // The same advert unicast to 192.0.2.2: the pseudo-header holds the real destination.
    static final byte[] V3_IPV4_UNICAST = hex("31 33 96 01 00 64 f1 81 c0 00 02 64");

    // The same advert with the checksum over the message alone (keepalived v3_checksum_as_v2).
    static final byte[] V3_IPV4_MESSAGE_ONLY_CHECKSUM = hex("31 33 96 01 00 64 76 02 c0 00 02 64");

    // VRRPv3 over IPv6, fe80::1 to ff02::12, vrid 51, priority 150, 100 cs, fe80::100 and 2001:db8::100.
    static final byte[] V3_IPV6 = hex("31 33 96 02 00 64 0b fd"
            + " fe80 0000 0000 0000 0000 0000 0000 0100"
            + " 2001 0db8 0000 0000 0000 0000 0000 0100");
    static final VrrpPacket V3_IPV6_PACKET =
            VrrpPacket.v3(51, 150, 100, List.of(ip("fe80::100"), ip("2001:db8::100")));

    // VRRPv2, vrid 51, priority 150, 1 s, 192.0.2.100 and 192.0.2.101, PASS "omnileads-secret" -> "omnilead".
    static final byte[] V2_PASS = hex("21 33 96 02 01 01 17 5e c0 00 02 64 c0 00 02 65"
            + " 6f 6d 6e 69 6c 65 61 64");
    static final VrrpPacket V2_PASS_PACKET =
            VrrpPacket.v2(51, 150, 1, List.of(ip("192.0.2.100"), ip("192.0.2.101")), "omnileads-secret");

    // VRRPv2 without authentication: type 0, eight zero bytes of auth data.
    static final byte[] V2_NO_AUTH = hex("21 33 96 01 00 01 86 65 c0 00 02 64 00 00 00 00 00 00 00 00");
    static final VrrpPacket V2_NO_AUTH_PACKET = VrrpPacket.v2(51, 150, 1, List.of(ip("192.0.2.100")), null);

    @Test
    void vectorsCarryTheirRfc1071Checksums() {
        assertEquals(0xd371, rfc1071(pseudoHeader(SRC4, GROUP4, 12), zeroChecksum(V3_IPV4)));
        assertEquals(0xf181, rfc1071(pseudoHeader(SRC4, PEER4, 12), zeroChecksum(V3_IPV4_UNICAST)));
        assertEquals(0x7602, rfc1071(zeroChecksum(V3_IPV4_MESSAGE_ONLY_CHECKSUM)));
        assertEquals(0x0bfd, rfc1071(pseudoHeader(SRC6, GROUP6, 40), zeroChecksum(V3_IPV6)));
        assertEquals(0x175e, rfc1071(zeroChecksum(V2_PASS)));
        assertEquals(0x8665, rfc1071(zeroChecksum(V2_NO_AUTH)));
        // Verifying over the whole message including its checksum gives 0.
        assertEquals(0, rfc1071(pseudoHeader(SRC4, GROUP4, 12), V3_IPV4));
        assertEquals(0, rfc1071(V2_PASS));
    }

    @Test
    void encodesVrrpV3OverIpv4Multicast() {
        assertEquals(hex(V3_IPV4), hex(encode(V3_IPV4_PACKET, SRC4, GROUP4)));
    }

    @Test
    void encodesVrrpV3OverIpv4UnicastWithThePeerInThePseudoHeader() {
        assertEquals(hex(V3_IPV4_UNICAST), hex(encode(V3_IPV4_PACKET, SRC4, PEER4)));
    }

    @Test
    void encodesVrrpV3OverIpv6() {
        assertEquals(hex(V3_IPV6), hex(encode(V3_IPV6_PACKET, SRC6, GROUP6)));
    }

    @Test
    void encodesVrrpV3OverIpv6WithZeroChecksumWhenTheKernelComputesIt() {
        byte[] bytes = encode(V3_IPV6_PACKET, null, null);
        assertEquals(0, checksumField(bytes));
        assertEquals(hex(zeroChecksum(V3_IPV6)), hex(bytes));
        assertEquals(0, checksumField(encode(V3_IPV6_PACKET, SRC6, null)));
    }

    @Test
    void encodesVrrpV2WithPassAuthentication() {
        assertEquals(hex(V2_PASS), hex(encode(V2_PASS_PACKET, SRC4, GROUP4)));
    }

    @Test
    void encodesVrrpV2WithoutAuthenticationAndWithoutAddresses() {
        assertEquals(hex(V2_NO_AUTH), hex(encode(V2_NO_AUTH_PACKET, SRC4, GROUP4)));
        // VRRPv2's checksum does not depend on the IP header, which may be left out.
        assertEquals(hex(V2_NO_AUTH), hex(encode(V2_NO_AUTH_PACKET, null, null)));
    }

    @Test
    void decodesTheVectors() throws VrrpCodecException {
        assertEquals(V3_IPV4_PACKET, decode(V3_IPV4, SRC4, GROUP4));
        assertEquals(V3_IPV4_PACKET, decode(V3_IPV4_UNICAST, SRC4, PEER4));
        assertEquals(V3_IPV6_PACKET, decode(V3_IPV6, SRC6, GROUP6));
        assertEquals(V2_PASS_PACKET, decode(V2_PASS, SRC4, GROUP4));
        assertEquals(V2_NO_AUTH_PACKET, decode(V2_NO_AUTH, SRC4, GROUP4));
        assertArrayEquals(hex("6f 6d 6e 69 6c 65 61 64"), decode(V2_PASS, SRC4, GROUP4).authData());
    }

    @Test
    void acceptsVrrpV3OverIpv4WithTheChecksumOverTheMessageAlone() throws VrrpCodecException {
        assertEquals(V3_IPV4_PACKET, decode(V3_IPV4_MESSAGE_ONLY_CHECKSUM, SRC4, GROUP4));
    }

    @Test
    void skipsTheIpv6ChecksumWhenTheKernelVerifiedIt() throws VrrpCodecException {
        assertEquals(V3_IPV6_PACKET, decode(zeroChecksum(V3_IPV6), null, null));
        assertEquals(V3_IPV6_PACKET, decode(zeroChecksum(V3_IPV6), SRC6, null));
    }

    @Test
    void ignoresTheReservedBitsOfAVrrpV3Interval() throws VrrpCodecException {
        byte[] reservedSet = TestBytes.withChecksum(hex("31 33 96 01 f0 64 00 00 c0 00 02 64"), SRC4, GROUP4);
        assertEquals(V3_IPV4_PACKET, decode(reservedSet, SRC4, GROUP4));
    }

    @Test
    void acceptsZeroEthernetPaddingUpToTheMinimumFrame() throws VrrpCodecException {
        byte[] padded = new byte[VrrpCodec.MAX_PADDED_LENGTH];
        System.arraycopy(V3_IPV4, 0, padded, 0, V3_IPV4.length);
        assertEquals(V3_IPV4_PACKET, decode(padded, SRC4, GROUP4));
    }

    @Test
    void encodesAtThePositionWhateverTheBufferByteOrder() {
        ByteBuffer out = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        out.put(hex("aa bb cc"));
        assertEquals(V2_PASS.length, VrrpCodec.encode(V2_PASS_PACKET, SRC4, GROUP4, out));
        assertEquals(3 + V2_PASS.length, out.position());
        byte[] written = new byte[V2_PASS.length];
        out.get(3, written);
        assertEquals(hex(V2_PASS), hex(written));
        assertEquals(V2_PASS.length, VrrpCodec.encodedLength(V2_PASS_PACKET));
        assertEquals(V3_IPV6.length, VrrpCodec.encodedLength(V3_IPV6_PACKET));
    }

    @Test
    void decodesBetweenPositionAndLimitAndLeavesTheBufferAsItWas() throws VrrpCodecException {
        byte[] framed = new byte[4 + V3_IPV6.length + 5];
        framed[0] = 0x7f;
        framed[framed.length - 1] = 0x7f;
        System.arraycopy(V3_IPV6, 0, framed, 4, V3_IPV6.length);
        byte[] before = framed.clone();
        ByteBuffer in = ByteBuffer.wrap(framed).position(4).limit(4 + V3_IPV6.length).asReadOnlyBuffer();

        assertEquals(V3_IPV6_PACKET, VrrpCodec.decode(in, SRC6, GROUP6));
        assertEquals(4, in.position());
        assertEquals(4 + V3_IPV6.length, in.limit());
        assertArrayEquals(before, framed);
    }

    /**
     * Captured adverts published with PcapPlusPlus (Tests/Packet++Test/PacketExamples/VRRP-V3-IPv4.dat and
     * VRRP-V3-IPv6.dat), from the IP header on: the codec must agree with another implementation's bytes.
     */
    @Test
    void agreesWithPublishedVrrpV3Ipv4Capture() throws VrrpCodecException {
        byte[] datagram = hex("4500002400000000ff701a91c0a8001ee0000012"
                + "310164020001484dc0a80001c0a80002");
        ByteBuffer buffer = ByteBuffer.wrap(datagram);
        ReceivedIpv4 ip = Ipv4Datagram.decode(buffer);
        assertEquals(new ReceivedIpv4((Inet4Address) ip("192.168.0.30"),
                (Inet4Address) ip("224.0.0.18"), 255, 112, 20, 16), ip);

        VrrpPacket p = VrrpCodec.decode(ip.payload(buffer), ip.src(), ip.dst());
        assertEquals(VrrpPacket.v3(1, 100, 1, List.of(ip("192.168.0.1"), ip("192.168.0.2"))), p);
        assertEquals("310164020001484dc0a80001c0a80002", hex(encode(p, ip.src(), ip.dst())));
    }

    @Test
    void agreesWithPublishedVrrpV3Ipv6Capture() throws VrrpCodecException {
        byte[] message = hex("3101640300011071"
                + "fe800000000000000000000000000254"
                + "20010db8000000000000000000000001"
                + "20010db8000000000000000000000002");
        VrrpPacket p = decode(message, SRC6, GROUP6);
        assertEquals(VrrpPacket.v3(1, 100, 1, List.of(ip("fe80::254"), ip("2001:db8::1"), ip("2001:db8::2"))), p);
        assertEquals(hex(message), hex(encode(p, SRC6, GROUP6)));
    }

    /**
     * PcapPlusPlus's VRRP-V2.dat holds a VRRPv2 message without the 8 bytes of authentication data that
     * RFC 3768 §5.3 always has; its checksum is right, yet the message is short, as keepalived would also say.
     */
    @Test
    void rejectsPublishedVrrpV2SampleWithoutAuthenticationData() {
        byte[] message = hex("21016403000138fac0a80001c0a80002c0a80003");
        assertEquals(0, rfc1071(message));
        VrrpCodecException e =
                assertThrows(VrrpCodecException.class, () -> decode(message, ip("192.168.0.30"), GROUP4));
        assertEquals(DropReason.BAD_ADDRESS_COUNT, e.reason());
        assertEquals("address count 3 needs 28 bytes but the message has 20 (room for 1 IPv4 address)",
                e.getMessage());
    }
}
