package org.omnileads.omlha.agent;

import java.net.Inet6Address;
import java.nio.ByteBuffer;
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
    /** Per VRID, the last advert decoded on this socket (see {@link LastAdvert}); allocated on first sight. */
    private final LastAdvert[] lastAdverts = new LastAdvert[256];

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
        ByteBuffer message = datagram.message();
        int vrid = message.remaining() >= 2 ? message.get(message.position() + 1) & 0xff : -1;
        LastAdvert last = vrid < 0 ? null : lastAdverts[vrid];
        if (last != null && last.isRepeatedBy(message, datagram)) {
            deliver(now, vrid, last.packet, last.source, drops);
            return;
        }
        VrrpPacket packet;
        InetAddress source = datagram.source();
        try {
            packet = VrrpCodec.decode(message, ipv6 ? null : source, ipv6 ? null : datagram.destination());
        } catch (VrrpCodecException e) {
            drops.count(e.reason());
            return;
        }
        if (last == null) {
            last = new LastAdvert();
            lastAdverts[packet.vrid()] = last;
        }
        last.remember(message, datagram, packet, source);
        deliver(now, packet.vrid(), packet, source, drops);
    }

    private void deliver(long now, int vrid, VrrpPacket packet, InetAddress source, DropCounters drops) {
        GroupRuntime group = groupsByVrid[vrid];
        if (group == null) {
            drops.count(DropReason.UNKNOWN_VRID);
            return;
        }
        group.onAdvert(now, packet, source, datagram.ttlOrHopLimit(), drops);
    }

    /**
     * The last advert of one VRID: its bytes, source and destination, and what they decoded to. A master sends the very
     * same bytes every interval, so a repeat (same bytes, same addresses, hence the same verified checksum) reuses the
     * decoded packet and source: the receive path allocates nothing while the cluster is steady. The TTL is not part
     * of it: the group checks the one each datagram arrived with.
     */
    private static final class LastAdvert {
        private final byte[] bytes = new byte[VrrpCodec.MAX_LENGTH];
        private int length = -1;
        private final byte[] sourceBytes = new byte[16];
        private final byte[] destinationBytes = new byte[16];
        private VrrpPacket packet;
        private InetAddress source;

        boolean isRepeatedBy(ByteBuffer message, ReceivedDatagram datagram) {
            int start = message.position();
            if (message.remaining() != length || !sameAddress(sourceBytes, datagram.sourceBytes())
                    || !sameAddress(destinationBytes, datagram.destinationBytes())) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (message.get(start + i) != bytes[i]) {
                    return false;
                }
            }
            return true;
        }

        void remember(ByteBuffer message, ReceivedDatagram datagram, VrrpPacket packet, InetAddress source) {
            if (message.remaining() > bytes.length) {
                length = -1; // longer than any advert we decode: never a repeat
                return;
            }
            length = message.remaining();
            message.get(message.position(), bytes, 0, length);
            System.arraycopy(datagram.sourceBytes(), 0, sourceBytes, 0, datagram.sourceBytes().length);
            System.arraycopy(datagram.destinationBytes(), 0, destinationBytes, 0, datagram.destinationBytes().length);
            this.packet = packet;
            this.source = source;
        }

        /** {@code stored} holds a 4-byte address in its first 4 bytes; the family is the socket's, never mixed. */
        private static boolean sameAddress(byte[] stored, byte[] received) {
            for (int i = 0; i < received.length; i++) {
                if (stored[i] != received[i]) {
                    return false;
                }
            }
            return true;
        }
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
