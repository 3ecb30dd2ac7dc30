package org.omnileads.omlha.vrrp.packet;

import java.net.Inet4Address;
import java.nio.ByteBuffer;

/**
 * What {@link Ipv4Datagram#decode} found in a datagram from an IPv4 raw socket: the header fields VRRP needs
 * and where the payload lies.
 *
 * @param payloadOffset absolute index of the payload in the buffer that was decoded
 * @param payloadLength payload bytes according to the header's total length (link padding excluded)
 */
public record ReceivedIpv4(Inet4Address src, Inet4Address dst, int ttl, int protocol, int payloadOffset,
                           int payloadLength) {

    /** A view of the payload in {@code datagram} (the buffer that was decoded); the buffer itself is untouched. */
    public ByteBuffer payload(ByteBuffer datagram) {
        return datagram.duplicate().limit(payloadOffset + payloadLength).position(payloadOffset);
    }
}
