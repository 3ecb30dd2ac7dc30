package org.omnileads.omlha.vrrp.packet;

import java.util.Locale;

/**
 * Why a received VRRP packet was not accepted; {@link #label()} is the {@code reason} label of
 * {@code omlha_vrrp_packets_dropped_total}.
 */
public enum DropReason {
    /**
     * Not even a VRRP header, an unparsable IPv4 datagram (its header or total length does not fit the bytes
     * received), or a field out of its range (vrid 0, interval 0).
     */
    MALFORMED,
    /** Version other than 2 or 3, or not the version the group speaks. */
    BAD_VERSION,
    /** Type other than 1 (ADVERTISEMENT). */
    BAD_TYPE,
    /** The message is shorter or longer than its header, addresses (and v2 auth data) say. */
    BAD_LENGTH,
    /** The address count disagrees with the addresses the message holds. */
    BAD_ADDRESS_COUNT,
    /** Neither the RFC checksum nor, for VRRPv3 over IPv4, the message-only variant matches. */
    BAD_CHECKSUM,
    /** TTL or hop limit other than 255 on a multicast advert (RFC 5798 §7.1, RFC 3768 §7.1). */
    BAD_TTL,
    /** VRRPv2 authentication type or data differ from the group's. */
    AUTH_MISMATCH,
    /** No group with this VRID here. */
    UNKNOWN_VRID,
    /** VRRPv2 advert interval differs from the group's. */
    INTERVAL_MISMATCH,
    /** IPv4 packet for an IPv6 group or the reverse, or VRRPv2 over IPv6. */
    WRONG_FAMILY,
    /** Unicast group: the source is not a configured peer. */
    NOT_FROM_PEER,
    /** The source is one of our own addresses: our advert came back. */
    OWN_PACKET;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** Lower case with underscores, e.g. {@code bad_checksum}: a Prometheus label value. */
    public String label() {
        return label;
    }
}
