package org.omnileads.omlha.agent;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Seam: one received VRRP datagram as the dispatcher reads it. The socket adapter exposes its reused
 * {@code ReceivedDatagram} through it (no allocation per datagram); a simulation builds its own.
 */
interface InboundDatagram {
    /** The VRRP message, positioned at its first byte; the dispatcher may move position and limit. */
    ByteBuffer message();

    /** The source address, 4 or 16 bytes; read it, do not keep it. */
    byte[] sourceBytes();

    byte[] destinationBytes();

    /** The source as an address (may allocate). */
    InetAddress source();

    InetAddress destination();

    /** IPv4 TTL or IPv6 hop limit as received; -1 if unknown. */
    int ttlOrHopLimit();
}
