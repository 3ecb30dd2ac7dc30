package org.omnileads.omlha.vrrp.packet;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Splits what an IPv4 raw socket delivers (the IP header, RFC 791 §3.1, then the payload) so that the VRRP
 * message and the TTL can be checked. The kernel has verified the header checksum and reassembled fragments
 * already; this only guards against a datagram the rest could not parse.
 */
public final class Ipv4Datagram {
    public static final int MIN_HEADER_LENGTH = 20;

    private Ipv4Datagram() {
    }

    /**
     * Reads the IPv4 header of the datagram spanning {@code datagram.position()} to {@code limit()}; the
     * buffer's position, limit and content are left as they were. Bytes beyond the header's total length
     * (link padding) are ignored.
     *
     * @throws VrrpCodecException {@link DropReason#MALFORMED} if it is not an IPv4 datagram that fits the buffer
     */
    public static ReceivedIpv4 decode(ByteBuffer datagram) throws VrrpCodecException {
        int base = datagram.position();
        int available = datagram.remaining();
        if (available < MIN_HEADER_LENGTH) {
            throw malformed("incomplete IPv4 header: " + available + " bytes (expected: " + MIN_HEADER_LENGTH
                    + "+ bytes)");
        }
        int versionAndIhl = u8(datagram, base);
        int version = versionAndIhl >>> 4;
        if (version != 4) {
            throw malformed("not an IPv4 datagram: version " + version);
        }
        int headerLength = (versionAndIhl & 0x0f) * 4;
        if (headerLength < MIN_HEADER_LENGTH) {
            throw malformed("bad IPv4 header length " + headerLength + " bytes (expected: " + MIN_HEADER_LENGTH
                    + "+ bytes)");
        }
        if (headerLength > available) {
            throw malformed("IPv4 header length " + headerLength + " bytes exceeds the " + available
                    + " bytes received");
        }
        int totalLength = u8(datagram, base + 2) << 8 | u8(datagram, base + 3);
        if (totalLength < headerLength) {
            throw malformed("IPv4 total length " + totalLength + " is shorter than its " + headerLength
                    + "-byte header");
        }
        if (totalLength > available) {
            throw malformed("IPv4 total length " + totalLength + " exceeds the " + available + " bytes received");
        }
        int ttl = u8(datagram, base + 8);
        int protocol = u8(datagram, base + 9);
        return new ReceivedIpv4(address(datagram, base + 12), address(datagram, base + 16), ttl, protocol,
                base + headerLength, totalLength - headerLength);
    }

    private static VrrpCodecException malformed(String message) {
        return new VrrpCodecException(DropReason.MALFORMED, message);
    }

    private static int u8(ByteBuffer b, int index) {
        return b.get(index) & 0xff;
    }

    private static Inet4Address address(ByteBuffer b, int index) {
        byte[] bytes = new byte[4];
        b.get(index, bytes);
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("4-byte address", e);
        }
    }
}
