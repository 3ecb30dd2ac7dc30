package org.omnileads.omlha.vrrp.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.omnileads.omlha.vrrp.packet.TestBytes.hex;
import static org.omnileads.omlha.vrrp.packet.TestBytes.ip;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Ipv4DatagramTest {
    // 192.0.2.1 -> 224.0.0.18, TTL 255, protocol 112, total length 32, then the VRRPv3 vector.
    static final byte[] DATAGRAM = hex("45 c0 00 20 00 00 40 00 ff 70 00 00 c0 00 02 01 e0 00 00 12"
            + " 31 33 96 01 00 64 d3 71 c0 00 02 64");

    @Test
    void splitsHeaderAndPayload() throws VrrpCodecException {
        ByteBuffer buffer = ByteBuffer.wrap(DATAGRAM);
        ReceivedIpv4 ip = Ipv4Datagram.decode(buffer);

        assertEquals(new ReceivedIpv4((Inet4Address) ip("192.0.2.1"), (Inet4Address) ip("224.0.0.18"), 255, 112,
                20, 12), ip);
        assertEquals(0, buffer.position());
        assertEquals(VrrpCodecVectorsTest.V3_IPV4_PACKET, VrrpCodec.decode(ip.payload(buffer), ip.src(), ip.dst()));
    }

    @Test
    void skipsHeaderOptionsAndIgnoresLinkPadding() throws VrrpCodecException {
        // IHL 6 (one 4-byte option, router alert), total length 36, then 10 bytes of padding.
        byte[] withOptions = hex("46 c0 00 24 00 00 40 00 40 70 00 00 c0 00 02 01 c0 00 02 02 94 04 00 00"
                + " 31 33 96 01 00 64 f1 81 c0 00 02 64 00 00 00 00 00 00 00 00 00 00");
        ReceivedIpv4 ip = Ipv4Datagram.decode(ByteBuffer.wrap(withOptions));
        assertEquals(24, ip.payloadOffset());
        assertEquals(12, ip.payloadLength());
        assertEquals(64, ip.ttl());
        assertEquals("31339601 0064f181 c0000264".replace(" ", ""),
                hex(Arrays.copyOfRange(withOptions, ip.payloadOffset(), ip.payloadOffset() + ip.payloadLength())));
    }

    @Test
    void payloadOffsetIsAnIndexIntoTheBuffer() throws VrrpCodecException {
        byte[] framed = new byte[5 + DATAGRAM.length];
        System.arraycopy(DATAGRAM, 0, framed, 5, DATAGRAM.length);
        ByteBuffer buffer = ByteBuffer.wrap(framed).position(5);
        ReceivedIpv4 ip = Ipv4Datagram.decode(buffer);
        assertEquals(25, ip.payloadOffset());
        assertEquals(5, buffer.position());
        assertEquals(VrrpCodecVectorsTest.V3_IPV4_PACKET, VrrpCodec.decode(ip.payload(buffer), ip.src(), ip.dst()));
    }

    @Test
    void rejectsWhatIsNotAnIpv4DatagramThatFits() {
        assertMalformed("incomplete IPv4 header: 19 bytes (expected: 20+ bytes)", Arrays.copyOf(DATAGRAM, 19));
        assertMalformed("not an IPv4 datagram: version 6", patched(0, 0x65));
        assertMalformed("bad IPv4 header length 16 bytes (expected: 20+ bytes)", patched(0, 0x44));
        assertMalformed("IPv4 header length 60 bytes exceeds the 32 bytes received", patched(0, 0x4f));
        assertMalformed("IPv4 total length 16 is shorter than its 20-byte header", patched(3, 16));
        assertMalformed("IPv4 total length 33 exceeds the 32 bytes received", patched(3, 33));
    }

    private static byte[] patched(int index, int value) {
        byte[] copy = DATAGRAM.clone();
        copy[index] = (byte) value;
        return copy;
    }

    private static void assertMalformed(String message, byte[] datagram) {
        VrrpCodecException e = assertThrows(VrrpCodecException.class,
                () -> Ipv4Datagram.decode(ByteBuffer.wrap(datagram)));
        assertEquals(DropReason.MALFORMED, e.reason());
        assertEquals(message, e.getMessage());
    }
}
