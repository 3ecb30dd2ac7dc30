package org.omnileads.omlha.agent;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.omnileads.omlha.vrrp.packet.DropReason;
import org.omnileads.omlha.vrrp.packet.VrrpCodec;
import org.omnileads.omlha.vrrp.packet.VrrpCodecException;
import org.omnileads.omlha.vrrp.packet.VrrpPacket;

/**
 * The receive path of one channel, with no I/O: decode a datagram and hand it to the group of its VRID. A bad
 * packet is counted by reason and dropped; nothing here throws for what arrives from the network.
 */
final class AdvertDispatcher {
    private final boolean ipv6;
    private final GroupRuntime[] groupsByVrid = new GroupRuntime[256];
    /** Per VRID, the last advert decoded on this channel (see {@link LastAdvert}); allocated on first sight. */
    private final LastAdvert[] lastAdverts = new LastAdvert[256];

    AdvertDispatcher(boolean ipv6) {
        this.ipv6 = ipv6;
    }

    void register(GroupRuntime group) {
        groupsByVrid[group.vrid()] = group;
    }

    void unregister(GroupRuntime group) {
        if (groupsByVrid[group.vrid()] == group) {
            groupsByVrid[group.vrid()] = null;
        }
    }

    /** Whether any group is registered: a channel without groups can be closed. */
    boolean isEmpty() {
        for (GroupRuntime group : groupsByVrid) {
            if (group != null) {
                return false;
            }
        }
        return true;
    }

    void dispatch(long now, InboundDatagram datagram, DropCounters drops) {
        ByteBuffer message = datagram.message();
        int vrid = message.remaining() >= 2 ? message.get(message.position() + 1) & 0xff : -1;
        LastAdvert last = vrid < 0 ? null : lastAdverts[vrid];
        if (last != null && last.isRepeatedBy(message, datagram)) {
            deliver(now, vrid, last.packet, last.source, datagram.ttlOrHopLimit(), drops);
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
        last.remember(datagram.message(), datagram, packet, source);
        deliver(now, packet.vrid(), packet, source, datagram.ttlOrHopLimit(), drops);
    }

    private void deliver(long now, int vrid, VrrpPacket packet, InetAddress source, int ttl, DropCounters drops) {
        GroupRuntime group = groupsByVrid[vrid];
        if (group == null) {
            drops.count(DropReason.UNKNOWN_VRID);
            return;
        }
        group.onAdvert(now, packet, source, ttl, drops);
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

        boolean isRepeatedBy(ByteBuffer message, InboundDatagram datagram) {
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

        void remember(ByteBuffer message, InboundDatagram datagram, VrrpPacket packet, InetAddress source) {
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

        /** {@code stored} holds a 4-byte address in its first 4 bytes; the family is the channel's, never mixed. */
        private static boolean sameAddress(byte[] stored, byte[] received) {
            for (int i = 0; i < received.length; i++) {
                if (stored[i] != received[i]) {
                    return false;
                }
            }
            return true;
        }
    }
}
