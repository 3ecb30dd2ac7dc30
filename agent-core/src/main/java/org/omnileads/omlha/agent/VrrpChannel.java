package org.omnileads.omlha.agent;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.omnileads.omlha.vrrp.net.ReceivedDatagram;
import org.omnileads.omlha.vrrp.net.VrrpSocket;

/**
 * The raw-socket adapter of an {@link AdvertChannel}: the VRRP socket of one (interface, address family), shared by
 * the groups on it. The loop calls {@link #drain} when the socket is readable; each datagram goes to the dispatcher.
 */
final class VrrpChannel implements AdvertChannel, AutoCloseable {
    /** At 100 adverts per group per wakeup we stop draining and let timers run: receive never starves timers. */
    private static final int MAX_DATAGRAMS_PER_WAKEUP = 256;

    private final String interfaceName;
    private final int ifIndex;
    private final boolean ipv6;
    private final InetAddress primaryAddress;
    private final VrrpSocket socket;
    private final AdvertDispatcher dispatcher;
    private final ReceivedDatagram datagram = new ReceivedDatagram();
    private final InboundDatagram view = new InboundDatagram() {
        @Override
        public ByteBuffer message() {
            return datagram.message();
        }

        @Override
        public byte[] sourceBytes() {
            return datagram.sourceBytes();
        }

        @Override
        public byte[] destinationBytes() {
            return datagram.destinationBytes();
        }

        @Override
        public InetAddress source() {
            return datagram.source();
        }

        @Override
        public InetAddress destination() {
            return datagram.destination();
        }

        @Override
        public int ttlOrHopLimit() {
            return datagram.ttlOrHopLimit();
        }
    };

    VrrpChannel(String interfaceName, int ifIndex, boolean ipv6, InetAddress primaryAddress, VrrpSocket socket) {
        this.interfaceName = interfaceName;
        this.ifIndex = ifIndex;
        this.ipv6 = ipv6;
        this.primaryAddress = primaryAddress;
        this.socket = socket;
        this.dispatcher = new AdvertDispatcher(ipv6);
    }

    @Override
    public String interfaceName() {
        return interfaceName;
    }

    @Override
    public int ifIndex() {
        return ifIndex;
    }

    @Override
    public boolean isIpv6() {
        return ipv6;
    }

    @Override
    public InetAddress primaryAddress() {
        return primaryAddress;
    }

    @Override
    public void send(ByteBuffer advert, InetAddress destination) {
        socket.send(advert, destination);
    }

    @Override
    public AdvertDispatcher dispatcher() {
        return dispatcher;
    }

    int fd() {
        return socket.fd();
    }

    /** Reads every waiting datagram (up to a bound) and dispatches it. */
    void drain(long now, DropCounters drops) {
        for (int i = 0; i < MAX_DATAGRAMS_PER_WAKEUP && socket.receive(datagram); i++) {
            if (datagram.dropReason() != null) {
                drops.count(datagram.dropReason()); // its IPv4 header was refused: nothing to decode
                continue;
            }
            dispatcher.dispatch(now, view, drops);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
