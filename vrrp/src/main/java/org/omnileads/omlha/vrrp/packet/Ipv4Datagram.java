package org.omnileads.omlha.vrrp.packet;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Splits what an IPv4 raw socket delivers (the IP header, RFC 791 §3.1, then the payload) so that the VRRP
 * message and the TTL can be checked. The kernel has verified the header checksum and reassembled fragments
 * already; this only guards against a datagram the rest could not parse: too short for a header, not
 * version 4, a header length (IHL) out of range, or a total length shorter than the header or longer than
 * what was received (a datagram cut short).
 *
 * <p>This is the one IPv4 header parser: the receive path ({@code ReceivedDatagram} in the transport) calls
 * {@link #checkHeader} and the field readers, which allocate nothing; {@link #decode} is the same check
 * returning a record, for callers that do not mind allocating.
 */
public final class Ipv4Datagram {
    public static final int MIN_HEADER_LENGTH = 20;

    private static final int TOTAL_LENGTH = 2;
    private static final int TTL = 8;
    private static final int PROTOCOL = 9;
    private static final int SOURCE = 12;
    private static final int DESTINATION = 16;

    private Ipv4Datagram() {
    }

    /**
     * Checks the IPv4 header of the datagram spanning {@code datagram.position()} to {@code limit()} and
     * returns its length in bytes ({@code IHL * 4}), where the payload starts. Bytes beyond the header's total
     * length (link padding) are allowed and not part of the payload. The buffer's position, limit and content
     * are left as they were; nothing is allocated unless the datagram is refused.
     *
     * @throws VrrpCodecException {@link DropReason#MALFORMED} if it is not an IPv4 datagram that fits the buffer
     */
    public static int checkHeader(ByteBuffer datagram) throws VrrpCodecException {
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
        int totalLength = totalLength(datagram);
        if (totalLength < headerLength) {
            throw malformed("IPv4 total length " + totalLength + " is shorter than its " + headerLength
                    + "-byte header");
        }
        if (totalLength > available) {
            throw malformed("IPv4 total length " + totalLength + " exceeds the " + available + " bytes received");
        }
        return headerLength;
    }

    /**
     * Checks the datagram as {@link #checkHeader} does and returns its fields (allocates the record and the
     * addresses).
     *
     * @throws VrrpCodecException {@link DropReason#MALFORMED} if it is not an IPv4 datagram that fits the buffer
     */
    public static ReceivedIpv4 decode(ByteBuffer datagram) throws VrrpCodecException {
        int headerLength = checkHeader(datagram);
        int base = datagram.position();
        return new ReceivedIpv4(address(datagram, base + SOURCE), address(datagram, base + DESTINATION),
                ttl(datagram), protocol(datagram), base + headerLength, totalLength(datagram) - headerLength);
    }

    // The readers below take a datagram that checkHeader accepted, at the same position.

    /** The header's total length field: header and payload, in bytes. */
    public static int totalLength(ByteBuffer datagram) {
        int base = datagram.position();
        return u8(datagram, base + TOTAL_LENGTH) << 8 | u8(datagram, base + TOTAL_LENGTH + 1);
    }

    public static int ttl(ByteBuffer datagram) {
        return u8(datagram, datagram.position() + TTL);
    }

    public static int protocol(ByteBuffer datagram) {
        return u8(datagram, datagram.position() + PROTOCOL);
    }

    /** Copies the 4 source address bytes into {@code into[0..3]}. */
    public static void copySource(ByteBuffer datagram, byte[] into) {
        datagram.get(datagram.position() + SOURCE, into, 0, 4);
    }

    /** Copies the 4 destination address bytes into {@code into[0..3]}. */
    public static void copyDestination(ByteBuffer datagram, byte[] into) {
        datagram.get(datagram.position() + DESTINATION, into, 0, 4);
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
