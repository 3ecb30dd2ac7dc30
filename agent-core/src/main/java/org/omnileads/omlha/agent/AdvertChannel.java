package org.omnileads.omlha.agent;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Seam: the VRRP channel of one (interface, address family) as the groups on it see it: where their adverts leave
 * from and go to, and the dispatcher that hands them the adverts that arrive. {@link VrrpChannel} is the raw-socket
 * adapter; a simulation supplies its own.
 */
interface AdvertChannel {
    InetAddress IPV4_GROUP = address(224, 0, 0, 18);
    InetAddress IPV6_GROUP = address(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12);

    String interfaceName();

    int ifIndex();

    boolean isIpv6();

    /** The address our adverts leave from and that breaks priority ties (RFC 5798 §5.1.2.1). */
    InetAddress primaryAddress();

    /** Sends one encoded VRRP message; a failure is thrown, for the group to log and count. */
    void send(ByteBuffer advert, InetAddress destination);

    /** Hands the adverts that arrive on this channel to the group of their VRID. */
    AdvertDispatcher dispatcher();

    default InetAddress multicastGroup() {
        return isIpv6() ? IPV6_GROUP : IPV4_GROUP;
    }

    /** Source for the v3 pseudo-header checksum; null for IPv6, where the kernel computes it (IPV6_CHECKSUM). */
    default InetAddress checksumSource() {
        return isIpv6() ? null : primaryAddress();
    }

    default InetAddress checksumDestination(InetAddress destination) {
        return isIpv6() ? null : destination;
    }

    private static InetAddress address(int... octets) {
        byte[] bytes = new byte[octets.length];
        for (int i = 0; i < octets.length; i++) {
            bytes[i] = (byte) octets[i];
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
