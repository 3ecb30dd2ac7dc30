package org.omnileads.omlha.agent;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.omnileads.omlha.vrrp.net.ReceivedDatagram;
import org.omnileads.omlha.vrrp.net.VrrpSocket;
import org.omnileads.omlha.vrrp.packet.DropReason;
import org.omnileads.omlha.vrrp.packet.VrrpCodec;
import org.omnileads.omlha.vrrp.packet.VrrpCodecException;
import org.omnileads.omlha.vrrp.packet.VrrpPacket;

/**
 * The VRRP socket of one (interface, address family), shared by the groups on it, and the receive path:
 * read a datagram, decode it, hand it to the group of its VRID. A bad packet is counted and dropped; it never
 * stops the loop.
 */
final class VrrpChannel implements AutoCloseable {
    static final InetAddress IPV4_GROUP = literal("224.0.0.18");
    static final InetAddress IPV6_GROUP = literal("ff02::12");
    /** At 100 adverts per group per wakeup we stop draining and let timers run: receive never starves timers. */
    private static final int MAX_DATAGRAMS_PER_WAKEUP = 256;

    private final String interfaceName;
    private final int ifIndex;
    private final boolean ipv6;
    private final InetAddress primaryAddress;
    private final VrrpSocket socket;
    private final GroupRuntime[] groupsByVrid = new GroupRuntime[256];
    private final ReceivedDatagram datagram = new ReceivedDatagram();

    VrrpChannel(String interfaceName, int ifIndex, boolean ipv6, InetAddress primaryAddress, VrrpSocket socket) {
        this.interfaceName = interfaceName;
        this.ifIndex = ifIndex;
        this.ipv6 = ipv6;
        this.primaryAddress = primaryAddress;
        this.socket = socket;
    }

    void register(GroupRuntime group) {
        groupsByVrid[group.vrid()] = group;
    }

    void unregister(GroupRuntime group) {
        if (groupsByVrid[group.vrid()] == group) {
            groupsByVrid[group.vrid()] = null;
        }
    }

    String interfaceName() {
        return interfaceName;
    }

    int ifIndex() {
        return ifIndex;
    }

    boolean isIpv6() {
        return ipv6;
    }

    VrrpSocket socket() {
        return socket;
    }

    int fd() {
        return socket.fd();
    }

    InetAddress primaryAddress() {
        return primaryAddress;
    }

    InetAddress multicastGroup() {
        return ipv6 ? IPV6_GROUP : IPV4_GROUP;
    }

    /** Source for the v3 pseudo-header checksum; null for IPv6, where the kernel computes it (IPV6_CHECKSUM). */
    InetAddress checksumSource() {
        return ipv6 ? null : primaryAddress;
    }

    InetAddress checksumDestination(InetAddress destination) {
        return ipv6 ? null : destination;
    }

    /** Reads every waiting datagram (up to a bound) and dispatches it. */
    void drain(long now, DropCounters drops) {
        for (int i = 0; i < MAX_DATAGRAMS_PER_WAKEUP && socket.receive(datagram); i++) {
            dispatch(now, drops);
        }
    }

    private void dispatch(long now, DropCounters drops) {
        VrrpPacket packet;
        InetAddress source = datagram.source();
        try {
            packet = VrrpCodec.decode(datagram.message(), ipv6 ? null : source, ipv6 ? null : datagram.destination());
        } catch (VrrpCodecException e) {
            drops.count(e.reason());
            return;
        }
        GroupRuntime group = groupsByVrid[packet.vrid()];
        if (group == null) {
            drops.count(DropReason.UNKNOWN_VRID);
            return;
        }
        group.onAdvert(now, packet, source, datagram.ttlOrHopLimit(), drops);
    }

    @Override
    public void close() {
        socket.close();
    }

    static boolean isIpv6(InetAddress address) {
        return address instanceof Inet6Address;
    }

    private static InetAddress literal(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
