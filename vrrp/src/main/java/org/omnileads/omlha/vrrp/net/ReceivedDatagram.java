package org.omnileads.omlha.vrrp.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.vrrp.packet.DropReason;
import org.omnileads.omlha.vrrp.packet.Ipv4Datagram;
import org.omnileads.omlha.vrrp.packet.VrrpCodecException;

/**
 * A reusable holder that {@link VrrpSocket#receive(ReceivedDatagram)} fills: the bytes of one datagram and
 * what the kernel said about it. Reusing one holder keeps the receive path free of allocation; its content
 * is valid until the next receive into it.
 *
 * <p>For IPv4 the buffer holds the whole IP datagram as the raw socket delivers it, header included:
 * {@link #datagram()} is all of it, {@link #message()} starts after the header ({@link #ipHeaderLength()}),
 * and TTL, protocol and addresses were read from that header by {@link Ipv4Datagram}; the message ends where
 * the header's total length says. A datagram whose header is not valid IPv4, or whose total length disagrees
 * with the bytes received (cut short, say), has a {@link #dropReason()}, an empty message and TTL -1.
 *
 * <p>For IPv6 the kernel delivers no header: the buffer holds only the VRRP message, the source comes from
 * the socket address, the hop limit from the IPV6_HOPLIMIT control message and the destination from
 * IPV6_PKTINFO.
 */
public final class ReceivedDatagram {
    /** Large enough for any IPv4 datagram or IPv6 payload without jumbograms. */
    public static final int DEFAULT_CAPACITY = 65_535;

    final ByteBuffer buffer;
    final long bufferAddress;
    final byte[] source4 = new byte[4];
    final byte[] destination4 = new byte[4];
    final byte[] source6 = new byte[16];
    final byte[] destination6 = new byte[16];
    int family = Linux.AF_UNSPEC;
    int length;
    int messageOffset;
    int messageEnd;
    DropReason dropReason;
    String dropDetail;
    int ttlOrHopLimit = -1;
    int protocol = -1;
    int ifIndex;
    boolean truncated;

    public ReceivedDatagram() {
        this(DEFAULT_CAPACITY);
    }

    /** A holder with room for {@code capacity} bytes; longer datagrams are cut and marked {@link #truncated()}. */
    public ReceivedDatagram(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        buffer = ByteBuffer.allocateDirect(capacity);
        bufferAddress = NativeStructs.addressOf(buffer);
    }

    /** Clears what a previous receive left, before the kernel writes a new datagram. */
    void reset(int newFamily) {
        family = newFamily;
        length = 0;
        messageOffset = 0;
        messageEnd = 0;
        dropReason = null;
        dropDetail = null;
        ttlOrHopLimit = -1;
        protocol = newFamily == Linux.AF_INET6 ? Linux.IPPROTO_VRRP : -1;
        ifIndex = 0;
        truncated = false;
        Arrays.fill(source4, (byte) 0);
        Arrays.fill(destination4, (byte) 0);
        Arrays.fill(source6, (byte) 0);
        Arrays.fill(destination6, (byte) 0);
    }

    /**
     * Reads the IPv4 header at the start of the {@link #length} bytes received: where the VRRP message starts
     * and ends, TTL, protocol, source and destination. A datagram {@link Ipv4Datagram#checkHeader} refuses
     * leaves an empty message, TTL and protocol -1, zero addresses, and its reason and message. Allocates
     * nothing for a valid header.
     */
    void readIpv4Header() {
        ByteBuffer d = datagram();
        try {
            messageOffset = Ipv4Datagram.checkHeader(d);
            messageEnd = Ipv4Datagram.totalLength(d);
            ttlOrHopLimit = Ipv4Datagram.ttl(d);
            protocol = Ipv4Datagram.protocol(d);
            Ipv4Datagram.copySource(d, source4);
            Ipv4Datagram.copyDestination(d, destination4);
        } catch (VrrpCodecException e) {
            messageOffset = length;
            messageEnd = length;
            ttlOrHopLimit = -1;
            protocol = -1;
            Arrays.fill(source4, (byte) 0);
            Arrays.fill(destination4, (byte) 0);
            dropReason = e.reason();
            dropDetail = e.getMessage();
        }
    }

    /** {@link Linux#AF_INET} or {@link Linux#AF_INET6}; {@link Linux#AF_UNSPEC} before the first receive. */
    public int family() {
        return family;
    }

    public boolean isIpv6() {
        return family == Linux.AF_INET6;
    }

    /** The source address, 4 or 16 bytes. The array is the holder's own: read it, do not keep or change it. */
    public byte[] sourceBytes() {
        return isIpv6() ? source6 : source4;
    }

    /** The destination address (the VRRP group or this node's unicast address), the holder's own array. */
    public byte[] destinationBytes() {
        return isIpv6() ? destination6 : destination4;
    }

    /** The source as an {@link InetAddress} (allocates); an IPv6 link-local source carries the interface as scope. */
    public InetAddress source() {
        return toInetAddress(sourceBytes());
    }

    /** The destination as an {@link InetAddress} (allocates). */
    public InetAddress destination() {
        return toInetAddress(destinationBytes());
    }

    /** IPv4 TTL or IPv6 hop limit as received; -1 if the kernel did not report it. */
    public int ttlOrHopLimit() {
        return ttlOrHopLimit;
    }

    /** The IP protocol: from the IPv4 header, always 112 for IPv6 (the socket's protocol); -1 if unknown. */
    public int protocol() {
        return protocol;
    }

    /** The interface the datagram arrived on, from IP_PKTINFO / IPV6_PKTINFO; 0 if not reported. */
    public int ifIndex() {
        return ifIndex;
    }

    /** True when the datagram was longer than this holder's capacity and its end was cut. */
    public boolean truncated() {
        return truncated;
    }

    /**
     * Why this datagram cannot hold a VRRP message, known before decoding it: {@link DropReason#MALFORMED} for
     * an IPv4 datagram whose header is not valid or whose total length disagrees with the bytes received;
     * null when the message may be decoded. The message is empty then, so decoding it anyway is dropped as
     * MALFORMED too.
     */
    public DropReason dropReason() {
        return dropReason;
    }

    /**
     * What was wrong when {@link #dropReason()} is set, e.g. {@code IPv4 total length 40 exceeds the 32 bytes
     * received}; else null.
     */
    public String dropDetail() {
        return dropDetail;
    }

    /** Length of the IPv4 header in front of the message ({@code ihl * 4}); 0 for IPv6. */
    public int ipHeaderLength() {
        return messageOffset;
    }

    /**
     * The VRRP message: the shared buffer with position at the message's first byte and limit at its end.
     * Each call resets position and limit, so a consumer may move them freely.
     */
    public ByteBuffer message() {
        buffer.limit(messageEnd).position(messageOffset);
        return buffer;
    }

    /** Everything received (for IPv4 the IP header and the message): the shared buffer, positioned at 0. */
    public ByteBuffer datagram() {
        buffer.limit(length).position(0);
        return buffer;
    }

    private InetAddress toInetAddress(byte[] address) {
        try {
            if (isIpv6()) {
                boolean linkScoped = (address[0] & 0xff) == 0xfe && (address[1] & 0xc0) == 0x80
                        || (address[0] & 0xff) == 0xff && (address[1] & 0x0f) == 0x02;
                return linkScoped && ifIndex > 0
                        ? Inet6Address.getByAddress(null, address, ifIndex)
                        : InetAddress.getByAddress(address);
            }
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of " + address.length + " bytes", e);
        }
    }

    @Override
    public String toString() {
        return "ReceivedDatagram[" + (family == Linux.AF_UNSPEC ? "empty"
                : source().getHostAddress() + " -> " + destination().getHostAddress() + ", ttl " + ttlOrHopLimit
                        + ", ifindex " + ifIndex + ", " + (messageEnd - messageOffset) + " bytes"
                        + (truncated ? " (truncated)" : "") + (dropReason == null ? "" : ", " + dropReason.label()
                        + ": " + dropDetail)) + "]";
    }
}
