package org.omnileads.omlha.vrrp.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.omnileads.omlha.vrrp.packet.TestBytes.decode;
import static org.omnileads.omlha.vrrp.packet.TestBytes.hex;
import static org.omnileads.omlha.vrrp.packet.TestBytes.ip;
import static org.omnileads.omlha.vrrp.packet.TestBytes.withChecksum;
import static org.omnileads.omlha.vrrp.packet.VrrpCodecVectorsTest.GROUP4;
import static org.omnileads.omlha.vrrp.packet.VrrpCodecVectorsTest.GROUP6;
import static org.omnileads.omlha.vrrp.packet.VrrpCodecVectorsTest.PEER4;
import static org.omnileads.omlha.vrrp.packet.VrrpCodecVectorsTest.SRC4;
import static org.omnileads.omlha.vrrp.packet.VrrpCodecVectorsTest.SRC6;
import static org.omnileads.omlha.vrrp.packet.VrrpCodecVectorsTest.V2_PASS;
import static org.omnileads.omlha.vrrp.packet.VrrpCodecVectorsTest.V2_PASS_PACKET;
import static org.omnileads.omlha.vrrp.packet.VrrpCodecVectorsTest.V3_IPV4;
import static org.omnileads.omlha.vrrp.packet.VrrpCodecVectorsTest.V3_IPV4_PACKET;
import static org.omnileads.omlha.vrrp.packet.VrrpCodecVectorsTest.V3_IPV4_UNICAST;
import static org.omnileads.omlha.vrrp.packet.VrrpCodecVectorsTest.V3_IPV6;
import static org.omnileads.omlha.vrrp.packet.VrrpCodecVectorsTest.V3_IPV6_PACKET;

import java.net.InetAddress;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Every way decode refuses a message, with its reason and exact message; and encode's argument checks. */
class VrrpCodecErrorsTest {

    private static void assertDropped(DropReason reason, String message, byte[] bytes, InetAddress src,
                                      InetAddress dst) {
        VrrpCodecException e = assertThrows(VrrpCodecException.class, () -> decode(bytes, src, dst));
        assertEquals(reason, e.reason());
        assertEquals(message, e.getMessage());
    }

    @Test
    void incompleteHeader() {
        assertDropped(DropReason.MALFORMED, "incomplete header: 5 bytes (expected: 8+ bytes)",
                hex("31 33 96 01 00"), SRC4, GROUP4);
        assertDropped(DropReason.MALFORMED, "incomplete header: 0 bytes (expected: 8+ bytes)",
                new byte[0], SRC4, GROUP4);
    }

    @Test
    void vridZero() {
        assertDropped(DropReason.MALFORMED, "invalid vrid 0 (expected: 1..255)",
                withChecksum(hex("31 00 96 01 00 64 00 00 c0 00 02 64"), SRC4, GROUP4), SRC4, GROUP4);
    }

    @Test
    void intervalZero() {
        assertDropped(DropReason.MALFORMED, "invalid advert interval 0 (expected: 1..4095 centiseconds)",
                withChecksum(hex("31 33 96 01 f0 00 00 00 c0 00 02 64"), SRC4, GROUP4), SRC4, GROUP4);
        assertDropped(DropReason.MALFORMED, "invalid advert interval 0 (expected: 1..255 seconds)",
                withChecksum(hex("21 33 96 00 00 00 00 00 00 00 00 00 00 00 00 00"), SRC4, GROUP4), SRC4, GROUP4);
    }

    @Test
    void unsupportedVersion() {
        assertDropped(DropReason.BAD_VERSION, "unsupported version 4",
                hex("41 33 96 01 00 64 00 00 c0 00 02 64"), SRC4, GROUP4);
        assertDropped(DropReason.BAD_VERSION, "unsupported version 0", new byte[12], SRC4, GROUP4);
    }

    @Test
    void unsupportedType() {
        assertDropped(DropReason.BAD_TYPE, "unsupported type 2 (expected: 1, ADVERTISEMENT)",
                hex("32 33 96 01 00 64 00 00 c0 00 02 64"), SRC4, GROUP4);
    }

    @Test
    void vrrpV2OverIpv6() {
        assertDropped(DropReason.WRONG_FAMILY, "VRRPv2 over IPv6 (VRRPv2 is IPv4 only)", V2_PASS, SRC6, GROUP6);
        assertDropped(DropReason.WRONG_FAMILY, "VRRPv2 over IPv6 (VRRPv2 is IPv4 only)", V2_PASS, null, null);
    }

    @Test
    void truncatedMessage() {
        assertDropped(DropReason.BAD_LENGTH, "bad length 10 bytes (expected: 12 bytes for VRRPv3 with 1 IPv4 address)",
                Arrays.copyOf(V3_IPV4, 10), SRC4, GROUP4);
        assertDropped(DropReason.BAD_LENGTH,
                "bad length 30 bytes (expected: 40 bytes for VRRPv3 with 2 IPv6 addresses)",
                Arrays.copyOf(V3_IPV6, 30), SRC6, GROUP6);
    }

    @Test
    void trailingBytesThatAreNotPadding() {
        byte[] nonZeroTail = Arrays.copyOf(V3_IPV4, 14);
        nonZeroTail[13] = 1;
        assertDropped(DropReason.BAD_LENGTH, "bad length 14 bytes (expected: 12 bytes for VRRPv3 with 1 IPv4 address)",
                nonZeroTail, SRC4, GROUP4);
        byte[] junkAfterV2 = Arrays.copyOf(V2_PASS, V2_PASS.length + 1);
        junkAfterV2[V2_PASS.length] = (byte) 0xff;
        assertDropped(DropReason.BAD_LENGTH,
                "bad length 25 bytes (expected: 24 bytes for VRRPv2 with 2 IPv4 addresses)", junkAfterV2, SRC4, GROUP4);
        // Zero bytes beyond the minimum Ethernet frame are not padding.
        assertDropped(DropReason.BAD_LENGTH, "bad length 27 bytes (expected: 12 bytes for VRRPv3 with 1 IPv4 address)",
                Arrays.copyOf(V3_IPV4, VrrpCodec.MAX_PADDED_LENGTH + 1), SRC4, GROUP4);
    }

    @Test
    void addressCountDisagreesWithTheAddressesPresent() {
        byte[] countTwo = V3_IPV4.clone();
        countTwo[3] = 2;
        assertDropped(DropReason.BAD_ADDRESS_COUNT,
                "address count 2 needs 16 bytes but the message has 12 (room for 1 IPv4 address)",
                countTwo, SRC4, GROUP4);
        byte[] countZero = V3_IPV6.clone();
        countZero[3] = 0;
        assertDropped(DropReason.BAD_ADDRESS_COUNT,
                "address count 0 needs 8 bytes but the message has 40 (room for 2 IPv6 addresses)",
                countZero, SRC6, GROUP6);
    }

    @Test
    void badChecksum() {
        byte[] v3 = V3_IPV4.clone();
        v3[6] = 0x1a;
        v3[7] = 0x2b;
        assertDropped(DropReason.BAD_CHECKSUM, "bad checksum 0x1a2b, expected 0xd371", v3, SRC4, GROUP4);
        byte[] v2 = V2_PASS.clone();
        v2[6] = 0;
        v2[7] = 0;
        assertDropped(DropReason.BAD_CHECKSUM, "bad checksum 0x0000, expected 0x175e", v2, SRC4, GROUP4);
        assertDropped(DropReason.BAD_CHECKSUM, "bad checksum 0x0bfd, expected 0x0bfc", V3_IPV6, ip("fe80::2"), GROUP6);
    }

    @Test
    void checksumOverTheMessageAloneIsNotAcceptedForIpv6() {
        byte[] messageOnly = V3_IPV6.clone();
        int c = TestBytes.rfc1071(TestBytes.zeroChecksum(messageOnly));
        messageOnly[6] = (byte) (c >> 8);
        messageOnly[7] = (byte) c;
        assertDropped(DropReason.BAD_CHECKSUM, String.format("bad checksum 0x%04x, expected 0x0bfd", c),
                messageOnly, SRC6, GROUP6);
    }

    /** Old keepalived put the multicast group in the pseudo-header even when unicasting; that is not accepted. */
    @Test
    void unicastAdvertCheckedAgainstTheDestinationItWasSentTo() {
        assertDropped(DropReason.BAD_CHECKSUM, "bad checksum 0xf181, expected 0xd371", V3_IPV4_UNICAST, SRC4,
                GROUP4);
        assertDropped(DropReason.BAD_CHECKSUM, "bad checksum 0xd371, expected 0xf181", V3_IPV4, SRC4, PEER4);
    }

    @Test
    void decodeRejectsCallerErrors() {
        assertThrows(IllegalArgumentException.class, () -> decode(V3_IPV4, SRC4, GROUP6));
        assertThrows(IllegalArgumentException.class, () -> decode(V3_IPV4, null, GROUP4));
        assertThrows(IllegalArgumentException.class, () -> decode(V3_IPV4, SRC4, null));
    }

    @Test
    void encodeRejectsInconsistentAddressesAndLeavesAShortBufferUntouched() {
        ByteBuffer out = ByteBuffer.allocate(64);
        assertEquals("VRRPv3 over IPv4 needs src and dst for its checksum: src null, dst /224.0.0.18",
                assertThrows(IllegalArgumentException.class,
                        () -> VrrpCodec.encode(V3_IPV4_PACKET, null, GROUP4, out)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> VrrpCodec.encode(V3_IPV4_PACKET, SRC6, GROUP6, out));
        assertThrows(IllegalArgumentException.class, () -> VrrpCodec.encode(V3_IPV6_PACKET, SRC4, GROUP4, out));
        assertThrows(IllegalArgumentException.class, () -> VrrpCodec.encode(V3_IPV6_PACKET, SRC6, GROUP4, out));
        assertThrows(IllegalArgumentException.class, () -> VrrpCodec.encode(V2_PASS_PACKET, SRC6, GROUP6, out));
        assertEquals(0, out.position());

        ByteBuffer small = ByteBuffer.allocate(V2_PASS.length - 1);
        assertThrows(BufferOverflowException.class, () -> VrrpCodec.encode(V2_PASS_PACKET, SRC4, GROUP4, small));
        assertEquals(0, small.position());
        assertEquals(hex(new byte[small.capacity()]), hex(small.array()));
    }
}
