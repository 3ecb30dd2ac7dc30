package org.omnileads.omlha.vrrp.packet;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Encodes and decodes VRRP messages (the IP payload, never the IP header): VRRPv3 per RFC 5798 §5.2, VRRPv2
 * per RFC 3768 §5.3.
 *
 * <p>Checksums (RFC 1071 one's complement): VRRPv3 covers an IP pseudo-header (RFC 5798 §5.2.8: source,
 * destination, protocol 112 and the VRRP length, laid out as in RFC 768 for IPv4 and RFC 8200 §8.1 for IPv6)
 * and the message; VRRPv2 covers the message alone (RFC 3768 §5.3.8). On receive a VRRPv3-over-IPv4 message
 * whose checksum covers the message alone is accepted too: some peers compute it that way (keepalived's
 * {@code v3_checksum_as_v2}). For IPv6 a {@code null} source or destination means the kernel handles the
 * checksum (socket option IPV6_CHECKSUM): encode writes 0 there and decode does not check it.
 *
 * <p>All reads and writes are byte by byte at absolute or relative positions, so the buffers' byte order does
 * not matter, and decode leaves the caller's buffer untouched.
 */
public final class VrrpCodec {
    /** IP protocol number of VRRP. */
    public static final int IPPROTO_VRRP = 112;
    /** VRRP type ADVERTISEMENT, the only type defined. */
    public static final int TYPE_ADVERTISEMENT = 1;
    public static final int HEADER_LENGTH = 8;
    /** The longest message: VRRPv3 with 255 IPv6 addresses. */
    public static final int MAX_LENGTH = HEADER_LENGTH + VrrpPacket.MAX_ADDRESSES * 16;
    /**
     * The longest a short message may be once Ethernet has padded it: the 46-byte minimum Ethernet payload
     * less a 20-byte IPv4 header. Zero bytes beyond the message are accepted up to this length.
     */
    public static final int MAX_PADDED_LENGTH = 46 - 20;

    private static final int CHECKSUM_OFFSET = 6;

    private VrrpCodec() {
    }

    /** Length of the message {@link #encode} writes for this packet. */
    public static int encodedLength(VrrpPacket p) {
        return messageLength(p.version(), p.addresses().size(), p.isIpv6() ? 16 : 4);
    }

    /**
     * Writes the VRRP message for {@code p} at {@code out.position()}, advances the position past it and
     * returns its length.
     *
     * @param src the source address of the IP header (VRRPv3 checksum); may be null for VRRPv2, and for IPv6
     *            when the kernel computes the checksum
     * @param dst the destination of the IP header: the multicast group or, unicasting, the peer
     * @throws BufferOverflowException if {@code out} has fewer than {@link #encodedLength} bytes remaining
     *                                 (nothing is written then)
     * @throws IllegalArgumentException if the addresses' families disagree, VRRPv2 is asked for over IPv6,
     *                                  or VRRPv3 over IPv4 lacks a source or destination
     */
    public static int encode(VrrpPacket p, InetAddress src, InetAddress dst, ByteBuffer out) {
        boolean ipv6 = family(p, src, dst);
        if (p.version() == 2 && ipv6) {
            throw new IllegalArgumentException("VRRPv2 is IPv4 only: src " + src + ", dst " + dst);
        }
        if (p.version() == 3 && !ipv6 && (src == null || dst == null)) {
            throw new IllegalArgumentException("VRRPv3 over IPv4 needs src and dst for its checksum: src "
                    + src + ", dst " + dst);
        }
        int length = encodedLength(p);
        if (out.remaining() < length) {
            throw new BufferOverflowException();
        }
        int start = out.position();
        out.put((byte) (p.version() << 4 | TYPE_ADVERTISEMENT));
        out.put((byte) p.vrid());
        out.put((byte) p.priority());
        out.put((byte) p.addresses().size());
        if (p.version() == 3) {
            out.put((byte) (p.advertInterval() >>> 8));
        } else {
            out.put((byte) p.authType());
        }
        out.put((byte) p.advertInterval());
        out.put((byte) 0);
        out.put((byte) 0);
        for (int i = 0; i < p.addresses().size(); i++) {
            out.put(p.addresses().get(i).getAddress());
        }
        if (p.version() == 2) {
            for (int i = 0; i < VrrpPacket.AUTH_DATA_LENGTH; i++) {
                out.put(p.authDataByte(i));
            }
        }
        int checksum;
        if (p.version() == 2) {
            checksum = complement(sum(out, start, length));
        } else if (src == null || dst == null) {
            checksum = 0;
        } else {
            checksum = complement(pseudoHeaderSum(src, dst, length) + sum(out, start, length));
        }
        out.put(start + CHECKSUM_OFFSET, (byte) (checksum >>> 8));
        out.put(start + CHECKSUM_OFFSET + 1, (byte) checksum);
        return length;
    }

    /**
     * Validates and decodes the VRRP message spanning {@code message.position()} to {@code message.limit()};
     * the buffer's position, limit and content are left as they were.
     *
     * <p>The address family is the source's (the destination's if the source is null; IPv6 if both are).
     * Zero bytes after the message are accepted as Ethernet padding up to {@link #MAX_PADDED_LENGTH}.
     *
     * @param src the source of the IP header; null only for IPv6 when the kernel verified the checksum
     * @param dst the destination of the IP header; null only for IPv6 when the kernel verified the checksum
     * @throws VrrpCodecException if the message is not a well-formed advertisement with a valid checksum
     * @throws IllegalArgumentException if {@code src} and {@code dst} are of different families, or one of
     *                                  them is null for IPv4 (caller errors, not packet errors)
     */
    public static VrrpPacket decode(ByteBuffer message, InetAddress src, InetAddress dst)
            throws VrrpCodecException {
        boolean ipv6 = family(null, src, dst);
        if (!ipv6 && (src == null || dst == null)) {
            throw new IllegalArgumentException("IPv4 needs src and dst: src " + src + ", dst " + dst);
        }
        int base = message.position();
        int available = message.remaining();
        if (available < HEADER_LENGTH) {
            throw new VrrpCodecException(DropReason.MALFORMED, "incomplete header: " + available
                    + " bytes (expected: " + HEADER_LENGTH + "+ bytes)");
        }
        int versionAndType = u8(message, base);
        int version = versionAndType >>> 4;
        int type = versionAndType & 0x0f;
        if (version != 2 && version != 3) {
            throw new VrrpCodecException(DropReason.BAD_VERSION, "unsupported version " + version);
        }
        if (type != TYPE_ADVERTISEMENT) {
            throw new VrrpCodecException(DropReason.BAD_TYPE, "unsupported type " + type
                    + " (expected: 1, ADVERTISEMENT)");
        }
        if (version == 2 && ipv6) {
            throw new VrrpCodecException(DropReason.WRONG_FAMILY, "VRRPv2 over IPv6 (VRRPv2 is IPv4 only)");
        }
        int count = u8(message, base + 3);
        int addressLength = ipv6 ? 16 : 4;
        int length = messageLength(version, count, addressLength);
        checkLength(message, base, available, version, count, addressLength, length);

        int received = u8(message, base + CHECKSUM_OFFSET) << 8 | u8(message, base + CHECKSUM_OFFSET + 1);
        int messageSum = sum(message, base, length);
        if (version == 2) {
            checkChecksum(received, messageSum);
        } else if (src != null && dst != null) {
            int pseudoSum = pseudoHeaderSum(src, dst, length);
            boolean legacyAccepted = !ipv6 && fold(messageSum) == 0xffff;
            if (!legacyAccepted) {
                checkChecksum(received, pseudoSum + messageSum);
            }
        }

        int vrid = u8(message, base + 1);
        if (vrid == 0) {
            throw new VrrpCodecException(DropReason.MALFORMED, "invalid vrid 0 (expected: 1..255)");
        }
        int priority = u8(message, base + 2);
        int interval;
        int authType;
        if (version == 3) {
            interval = (u8(message, base + 4) & 0x0f) << 8 | u8(message, base + 5);
            authType = VrrpPacket.AUTH_NONE;
        } else {
            interval = u8(message, base + 5);
            authType = u8(message, base + 4);
        }
        if (interval == 0) {
            throw new VrrpCodecException(DropReason.MALFORMED, "invalid advert interval 0 (expected: "
                    + (version == 3 ? "1..4095 centiseconds)" : "1..255 seconds)"));
        }
        InetAddress[] addresses = new InetAddress[count];
        for (int i = 0; i < count; i++) {
            addresses[i] = address(message, base + HEADER_LENGTH + i * addressLength, addressLength);
        }
        byte[] authData = new byte[version == 2 ? VrrpPacket.AUTH_DATA_LENGTH : 0];
        message.get(base + HEADER_LENGTH + count * addressLength, authData);
        return new VrrpPacket(version, vrid, priority, interval, List.of(addresses), authType, authData);
    }

    private static void checkLength(ByteBuffer message, int base, int available, int version, int count,
                                    int addressLength, int length) throws VrrpCodecException {
        if (available == length || available > length && available <= MAX_PADDED_LENGTH
                && allZero(message, base + length, base + available)) {
            return;
        }
        String family = addressLength == 4 ? "IPv4" : "IPv6";
        int overhead = length - count * addressLength;
        int room = available - overhead;
        if (room >= 0 && room % addressLength == 0 && room / addressLength <= VrrpPacket.MAX_ADDRESSES) {
            int held = room / addressLength;
            throw new VrrpCodecException(DropReason.BAD_ADDRESS_COUNT, "address count " + count + " needs "
                    + length + " bytes but the message has " + available + " (room for " + held + " " + family
                    + (held == 1 ? " address)" : " addresses)"));
        }
        throw new VrrpCodecException(DropReason.BAD_LENGTH, "bad length " + available + " bytes (expected: "
                + length + " bytes for VRRPv" + version + " with " + count + " " + family
                + (count == 1 ? " address)" : " addresses)"));
    }

    private static void checkChecksum(int received, int sum) throws VrrpCodecException {
        if (fold(sum) != 0xffff) {
            int expected = complement(sum - received);
            throw new VrrpCodecException(DropReason.BAD_CHECKSUM, String.format(
                    "bad checksum 0x%04x, expected 0x%04x", received, expected));
        }
    }

    /**
     * True for IPv6: the family of src, else of dst, else of the packet's addresses; without any of them IPv4
     * for VRRPv2 and IPv6 otherwise.
     */
    private static boolean family(VrrpPacket p, InetAddress src, InetAddress dst) {
        if (src != null && dst != null && (src instanceof Inet6Address) != (dst instanceof Inet6Address)) {
            throw new IllegalArgumentException("src " + src + " and dst " + dst + " are of different families");
        }
        InetAddress known = src != null ? src : dst;
        boolean ipv6;
        if (known != null) {
            ipv6 = known instanceof Inet6Address;
        } else if (p != null && !p.addresses().isEmpty()) {
            ipv6 = p.isIpv6();
        } else {
            ipv6 = p == null || p.version() == 3;
        }
        if (p != null && !p.addresses().isEmpty() && p.isIpv6() != ipv6) {
            throw new IllegalArgumentException("addresses " + p.addresses() + " do not match src " + src
                    + " and dst " + dst);
        }
        return ipv6;
    }

    private static int messageLength(int version, int count, int addressLength) {
        return HEADER_LENGTH + count * addressLength + (version == 2 ? VrrpPacket.AUTH_DATA_LENGTH : 0);
    }

    /** One's complement sum (not yet folded) of the pseudo-header; IPv4 and IPv6 layouts sum alike. */
    private static int pseudoHeaderSum(InetAddress src, InetAddress dst, int length) {
        return sum(src.getAddress()) + sum(dst.getAddress()) + IPPROTO_VRRP + length;
    }

    private static int sum(byte[] bytes) {
        int s = 0;
        for (int i = 0; i < bytes.length; i += 2) {
            s += (bytes[i] & 0xff) << 8 | bytes[i + 1] & 0xff;
        }
        return s;
    }

    /** Sum of the big-endian 16-bit words of {@code length} (even) bytes from absolute index {@code from}. */
    private static int sum(ByteBuffer b, int from, int length) {
        int s = 0;
        for (int i = from; i < from + length; i += 2) {
            s += (b.get(i) & 0xff) << 8 | b.get(i + 1) & 0xff;
        }
        return s;
    }

    private static int fold(int sum) {
        int s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return s;
    }

    private static int complement(int sum) {
        return ~fold(sum) & 0xffff;
    }

    private static boolean allZero(ByteBuffer b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static int u8(ByteBuffer b, int index) {
        return b.get(index) & 0xff;
    }

    private static InetAddress address(ByteBuffer b, int index, int length) {
        byte[] bytes = new byte[length];
        b.get(index, bytes);
        try {
            // Inet6Address.getByAddress keeps an IPv4-mapped IPv6 address IPv6; InetAddress's would not.
            return length == 4 ? InetAddress.getByAddress(bytes) : Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError("address of " + length + " bytes", e);
        }
    }
}
