package org.omnileads.omlha.vip;

import java.nio.ByteBuffer;

/**
 * The bodies of the frames that announce a VIP, written at the start of a buffer:
 * a gratuitous ARP (RFC 826 layout, RFC 5227 §3 usage) and an unsolicited neighbour advertisement
 * (RFC 4861 §4.4, §7.2.6). All fields are in network byte order.
 */
final class AnnouncementFrames {
    private AnnouncementFrames() {}

    static final int ARP_LENGTH = 28;
    static final int ARP_REQUEST = 1;
    static final int ARP_REPLY = 2;
    static final int NA_LENGTH = 32;
    static final int ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;
    static final int NA_FLAG_ROUTER = 0x80;
    static final int NA_FLAG_SOLICITED = 0x40;
    static final int NA_FLAG_OVERRIDE = 0x20;
    static final int OPTION_TARGET_LINK_LAYER_ADDRESS = 2;

    private static final byte[] BROADCAST_MAC = {-1, -1, -1, -1, -1, -1};

    /**
     * A gratuitous ARP for {@code ipv4}: sender and target protocol address are both the VIP. A request
     * targets the broadcast hardware address and a reply names the sender's own, as arping -U / -A do.
     */
    static void arp(ByteBuffer out, int operation, byte[] mac, byte[] ipv4) {
        requireLength(mac, 6, "MAC");
        requireLength(ipv4, 4, "IPv4 address");
        out.put(0, (byte) 0).put(1, (byte) 1);          // hardware type: Ethernet
        out.put(2, (byte) 0x08).put(3, (byte) 0x00);    // protocol type: IPv4
        out.put(4, (byte) 6).put(5, (byte) 4);          // hardware and protocol address lengths
        out.put(6, (byte) 0).put(7, (byte) operation);
        out.put(8, mac);
        out.put(14, ipv4);
        out.put(18, operation == ARP_REPLY ? mac : BROADCAST_MAC);
        out.put(24, ipv4);
    }

    /**
     * An unsolicited neighbour advertisement for {@code target}: Override set, Solicited and Router clear,
     * with a target link-layer address option. The checksum is left 0 for the kernel to fill.
     */
    static void neighborAdvertisement(ByteBuffer out, byte[] mac, byte[] target) {
        requireLength(mac, 6, "MAC");
        requireLength(target, 16, "IPv6 address");
        out.put(0, (byte) ICMPV6_NEIGHBOR_ADVERTISEMENT);
        out.put(1, (byte) 0);                       // code
        out.put(2, (byte) 0).put(3, (byte) 0);      // checksum
        out.put(4, (byte) NA_FLAG_OVERRIDE);
        out.put(5, (byte) 0).put(6, (byte) 0).put(7, (byte) 0);
        out.put(8, target);
        out.put(24, (byte) OPTION_TARGET_LINK_LAYER_ADDRESS);
        out.put(25, (byte) 1);                      // option length in units of 8 octets
        out.put(26, mac);
    }

    private static void requireLength(byte[] bytes, int length, String what) {
        if (bytes.length != length) {
            throw new IllegalArgumentException(what + " of " + bytes.length + " bytes, expected " + length);
        }
    }
}
