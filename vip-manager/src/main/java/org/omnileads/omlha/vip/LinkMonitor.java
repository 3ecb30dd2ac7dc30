package org.omnileads.omlha.vip;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.NativeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Link and address events through rtnetlink (rtnetlink(7)): a non-blocking socket subscribed to RTMGRP_LINK and
 * RTMGRP_IPV4_IFADDR / RTMGRP_IPV6_IFADDR whose {@link #fd()} an event loop polls, and {@link #drain} to read the
 * RTM_NEWLINK / RTM_DELLINK and RTM_DELADDR events pending on it. An address removed behind the agent's back
 * (networkd, NetworkManager, {@code ip addr del}) is thus known at once, without polling. Queries go through a
 * second, blocking socket so that their replies never mix with events.
 *
 * <p>When the kernel reports that events were lost (ENOBUFS: the socket's queue overflowed), {@link #drain}
 * drops the stale events still queued, asks for every link again and passes each one on as an event, so the
 * last event delivered for a link is always its current state, and says that address events were lost, so
 * the caller checks its addresses by asking. Not thread-safe.
 */
public final class LinkMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LinkMonitor.class);
    private static final int MAX_DATAGRAMS_PER_DRAIN = 1024;

    /** What {@link #drain} delivers. */
    public interface Events {
        void onLink(LinkState link);

        /** An address left an interface: one the caller removed itself, or one something else removed. */
        void onAddressRemoved(int ifIndex, VipAddress address);

        /** Address events were lost (queue overflow): the caller must check the addresses it cares about. */
        void onAddressEventsLost();
    }

    private final NetlinkSocket events;
    private final NetlinkSocket requests;

    private LinkMonitor(NetlinkSocket events, NetlinkSocket requests) {
        this.events = events;
        this.requests = requests;
    }

    /** Opens both sockets in the calling thread's network namespace. */
    public static LinkMonitor open() {
        NetlinkSocket events = NetlinkSocket.open(Netlink.RTMGRP_LINK | Netlink.RTMGRP_IPV4_IFADDR | Netlink.RTMGRP_IPV6_IFADDR, true);
        try {
            return new LinkMonitor(events, NetlinkSocket.open(0, false));
        } catch (RuntimeException e) {
            events.close();
            throw e;
        }
    }

    /** The event socket, readable (POLLIN) when {@link #drain} has events to deliver. */
    public int fd() {
        return events.fd();
    }

    /** @throws NativeException with errno ENODEV when there is no such interface */
    public LinkState query(int ifIndex) {
        return requests.get((out, seq) -> Netlink.getLink(out, seq, ifIndex),
                "query link ifindex " + ifIndex + " (RTM_GETLINK)", Netlink::link);
    }

    /** @throws NativeException with errno ENODEV when there is no such interface */
    public LinkState query(String name) {
        return requests.get((out, seq) -> Netlink.getLink(out, seq, name),
                "query link \"" + name + "\" (RTM_GETLINK)", Netlink::link);
    }

    /** Every interface of the namespace. */
    public List<LinkState> queryAll() {
        return requests.dump(Netlink::dumpLinks, "list links (RTM_GETLINK)",
                message -> message.type() == Netlink.RTM_NEWLINK ? Netlink.link(message) : null);
    }

    /**
     * Passes every pending link event to {@code consumer} without blocking and returns how many there were.
     * Stops after {@value #MAX_DATAGRAMS_PER_DRAIN} datagrams so that an event storm cannot hold the caller;
     * the socket then stays readable.
     */
    public int drain(Consumer<LinkState> consumer) {
        return drain(new Events() {
            public void onLink(LinkState link) {
                consumer.accept(link);
            }

            public void onAddressRemoved(int ifIndex, VipAddress address) {
            }

            public void onAddressEventsLost() {
            }
        });
    }

    /**
     * Passes every pending link event and address removal to {@code consumer} without blocking and returns how many
     * there were, with the same bound as {@link #drain(Consumer)}.
     */
    public int drain(Events consumer) {
        int delivered = 0;
        for (int datagrams = 0; datagrams < MAX_DATAGRAMS_PER_DRAIN; datagrams++) {
            ByteBuffer datagram;
            try {
                datagram = events.receiveNow("read link events");
            } catch (NativeException e) {
                if (e.errno() != Linux.ENOBUFS) {
                    throw e;
                }
                delivered += resynchronize(consumer);
                continue;
            }
            if (datagram == null) {
                break;
            }
            for (Netlink.Message message : Netlink.split(datagram)) {
                if (message.type() == Netlink.RTM_NEWLINK || message.type() == Netlink.RTM_DELLINK) {
                    consumer.onLink(Netlink.link(message));
                    delivered++;
                } else if (message.type() == Netlink.RTM_DELADDR) {
                    int family = Netlink.addressFamily(message);
                    if (family == Linux.AF_INET || family == Linux.AF_INET6) {
                        Netlink.AddressEntry entry = Netlink.address(message);
                        consumer.onAddressRemoved(entry.ifIndex(), entry.vip());
                        delivered++;
                    }
                }
            }
        }
        return delivered;
    }

    /**
     * After an overflow the queue still holds events from before it, older than what was lost: they are
     * discarded, and every link's current state stands in for them.
     */
    private int resynchronize(Events consumer) {
        log.warn("link events were lost (socket queue overflow): reading every link again");
        for (int datagrams = 0; datagrams < MAX_DATAGRAMS_PER_DRAIN; datagrams++) {
            try {
                if (events.receiveNow("discard stale link events") == null) {
                    break;
                }
            } catch (NativeException e) {
                if (e.errno() != Linux.ENOBUFS) {
                    throw e;
                }
            }
        }
        List<LinkState> all = queryAll();
        all.forEach(consumer::onLink);
        consumer.onAddressEventsLost();
        return all.size();
    }

    @Override
    public void close() {
        events.close();
        requests.close();
    }
}
