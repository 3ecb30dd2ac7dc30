package org.omnileads.omlha.vrrp.packet;

import java.io.ByteArrayOutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * Test helpers, independent of the codec: hex, addresses, and a straightforward RFC 1071 checksum over byte
 * arrays with the pseudo-headers written out field by field as the RFCs draw them.
 */
final class TestBytes {
    private TestBytes() {
    }

    static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replace(" ", ""));
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    static InetAddress ipv6(byte[] sixteen) {
        try {
            return Inet6Address.getByAddress(null, sixteen, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** RFC 1071: the 16-bit one's complement of the one's complement sum of the concatenated bytes. */
    static int rfc1071(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        byte[] data = all.toByteArray();
        long sum = 0;
        for (int i = 0; i < data.length; i += 2) {
            int hi = data[i] & 0xff;
            int lo = i + 1 < data.length ? data[i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /**
     * IPv4 (RFC 768 layout): src, dst, zero, protocol, 16-bit length. IPv6 (RFC 8200 §8.1): src, dst, 32-bit
     * length, three zero bytes, next header.
     */
    static byte[] pseudoHeader(InetAddress src, InetAddress dst, int vrrpLength) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(src.getAddress());
        b.writeBytes(dst.getAddress());
        if (src.getAddress().length == 4) {
            b.write(0);
            b.write(112);
            b.write(vrrpLength >> 8);
            b.write(vrrpLength);
        } else {
            b.write(vrrpLength >> 24);
            b.write(vrrpLength >> 16);
            b.write(vrrpLength >> 8);
            b.write(vrrpLength);
            b.write(0);
            b.write(0);
            b.write(0);
            b.write(112);
        }
        return b.toByteArray();
    }

    /** The message with its checksum field zeroed. */
    static byte[] zeroChecksum(byte[] message) {
        byte[] copy = message.clone();
        copy[6] = 0;
        copy[7] = 0;
        return copy;
    }

    /** Checksum bytes 6-7 as written in the message. */
    static int checksumField(byte[] message) {
        return (message[6] & 0xff) << 8 | message[7] & 0xff;
    }

    /** Sets the RFC checksum: v2 over the message, v3 over pseudo-header and message. */
    static byte[] withChecksum(byte[] message, InetAddress src, InetAddress dst) {
        byte[] copy = zeroChecksum(message);
        int c = (copy[0] & 0xf0) == 0x20 ? rfc1071(copy) : rfc1071(pseudoHeader(src, dst, copy.length), copy);
        copy[6] = (byte) (c >> 8);
        copy[7] = (byte) c;
        return copy;
    }

    static byte[] encode(VrrpPacket p, InetAddress src, InetAddress dst) {
        ByteBuffer out = ByteBuffer.allocate(VrrpCodec.MAX_LENGTH + 8);
        int n = VrrpCodec.encode(p, src, dst, out);
        byte[] bytes = new byte[n];
        out.flip().get(bytes);
        return bytes;
    }

    static VrrpPacket decode(byte[] message, InetAddress src, InetAddress dst) throws VrrpCodecException {
        return VrrpCodec.decode(ByteBuffer.wrap(message), src, dst);
    }
}
