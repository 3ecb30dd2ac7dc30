package org.omnileads.omlha.vip;

import static org.omnileads.omlha.linux.Native.LIBC;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;
import org.omnileads.omlha.linux.NativeException;

/**
 * Announces VIPs on one interface so that neighbours update their caches at once after a failover:
 * IPv4 with gratuitous ARP (RFC 5227 §3), IPv6 with unsolicited neighbour advertisements (RFC 4861 §7.2.6).
 *
 * <p>ARP goes out of an AF_PACKET SOCK_DGRAM socket to the broadcast MAC with protocol ETH_P_ARP in its
 * {@code sockaddr_ll}, so the kernel builds the Ethernet header and only the 28-byte ARP body is written. The
 * socket is opened with protocol 0, which makes it send-only: it never queues the ARP traffic it would
 * otherwise receive. Successive announcements of a VIP alternate between ARP request and ARP reply,
 * because some hosts and switches learn from only one of them.
 *
 * <p>Neighbour advertisements go out of a raw ICMPv6 socket bound to the device, to ff02::1 with hop limit 255; IPV6_MULTICAST_IF makes the kernel pick the interface's link-local
 * address as the source, and it fills the ICMPv6 checksum. An ICMP6_FILTER blocks all receiving.
 *
 * <p>Both sockets are opened by {@link #open}, in the calling thread's network namespace (on a kernel without
 * IPv6 only the ARP one, and announcing an IPv6 VIP then fails). Frames are built once per VIP and reused:
 * announcing allocates nothing. Not thread-safe.
 */
public final class Announcer implements AutoCloseable {
    private static final int SOCKADDR_LL_LENGTH = 20;
    private static final int SOCKADDR_IN6_LENGTH = 28;
    private static final int ARPHRD_ETHER = 1;
    private static final int ICMP6_FILTER = 1;
    private static final int ICMP6_FILTER_LENGTH = 32;
    private static final int EAFNOSUPPORT = 97;

    private final String ifName;
    private final int ifIndex;
    private final byte[] mac;
    private final int packetFd;
    private final ByteBuffer broadcast = Sockets.direct(SOCKADDR_LL_LENGTH);
    private final ByteBuffer allNodes = Sockets.direct(SOCKADDR_IN6_LENGTH);
    private final Map<VipAddress, Frames> frames = new HashMap<>();
    private final int icmpFd;
    private final NativeException icmpFailure;
    private boolean closed;

    /** The frames of one VIP; for IPv4 the request and the reply, for IPv6 the advertisement. */
    private static final class Frames {
        final ByteBuffer first;
        final ByteBuffer second;
        boolean secondNext;

        Frames(ByteBuffer first, ByteBuffer second) {
            this.first = first;
            this.second = second;
        }
    }

    private Announcer(String ifName, int ifIndex, byte[] mac, int packetFd, int icmpFd, NativeException icmpFailure) {
        this.ifName = ifName;
        this.ifIndex = ifIndex;
        this.mac = mac;
        this.packetFd = packetFd;
        this.icmpFd = icmpFd;
        this.icmpFailure = icmpFailure;
        broadcast.putShort(0, (short) Linux.AF_PACKET);
        broadcast.order(ByteOrder.BIG_ENDIAN).putShort(2, (short) Linux.ETH_P_ARP).order(ByteOrder.nativeOrder());
        broadcast.putInt(4, ifIndex);
        broadcast.putShort(8, (short) ARPHRD_ETHER);
        broadcast.put(11, (byte) 6);
        for (int i = 0; i < 6; i++) {
            broadcast.put(12 + i, (byte) 0xff);
        }
        allNodes.putShort(0, (short) Linux.AF_INET6);
        allNodes.put(8, (byte) 0xff).put(9, (byte) 0x02).put(23, (byte) 0x01);
        allNodes.putInt(24, ifIndex);
    }

    /** Opens the announcing socket for {@code ifName} (index {@code ifIndex}, hardware address {@code mac}). */
    public static Announcer open(String ifName, int ifIndex, byte[] mac) {
        if (mac.length != 6) {
            throw new IllegalArgumentException("interface " + ifName + " has a " + mac.length + "-byte hardware address; "
                    + "announcements need a 6-byte Ethernet MAC");
        }
        int packetFd = Native.check(LIBC.socket(Linux.AF_PACKET, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC | Linux.SOCK_NONBLOCK, 0),
                "socket(AF_PACKET, SOCK_DGRAM) for gratuitous ARP on " + ifName);
        try {
            return new Announcer(ifName, ifIndex, mac.clone(), packetFd, openIcmp(ifName, ifIndex), null);
        } catch (NativeException e) {
            if (e.errno() != EAFNOSUPPORT) {
                Sockets.closeQuietly(packetFd);
                throw e;
            }
            return new Announcer(ifName, ifIndex, mac.clone(), packetFd, -1, e);
        }
    }

    /** Sends one announcement of {@code vip}: an ARP request or reply (alternately) or a neighbour advertisement. */
    public void announce(VipAddress vip) {
        Frames frame = frames.get(vip);
        if (frame == null) {
            frame = build(vip);
            frames.put(vip, frame);
        }
        if (vip.isIpv4()) {
            ByteBuffer body = frame.secondNext ? frame.second : frame.first;
            String what = frame.secondNext ? "gratuitous ARP reply" : "gratuitous ARP request";
            frame.secondNext = !frame.secondNext;
            send(packetFd, body, broadcast, SOCKADDR_LL_LENGTH, what, vip);
        } else {
            send(icmpFd, frame.first, allNodes, SOCKADDR_IN6_LENGTH, "unsolicited neighbour advertisement", vip);
        }
    }

    /** Drops the frames kept for {@code vip}. */
    public void forget(VipAddress vip) {
        frames.remove(vip);
    }

    private Frames build(VipAddress vip) {
        byte[] address = vip.address().getAddress();
        if (vip.isIpv4()) {
            ByteBuffer request = Sockets.direct(AnnouncementFrames.ARP_LENGTH);
            ByteBuffer reply = Sockets.direct(AnnouncementFrames.ARP_LENGTH);
            AnnouncementFrames.arp(request, AnnouncementFrames.ARP_REQUEST, mac, address);
            AnnouncementFrames.arp(reply, AnnouncementFrames.ARP_REPLY, mac, address);
            return new Frames(request, reply);
        }
        if (icmpFd < 0) {
            throw new NativeException("announce " + vip + " on " + ifName, icmpFailure.errno(),
                    "no IPv6 socket: " + icmpFailure.getMessage());
        }
        ByteBuffer advertisement = Sockets.direct(AnnouncementFrames.NA_LENGTH);
        AnnouncementFrames.neighborAdvertisement(advertisement, mac, address);
        return new Frames(advertisement, null);
    }

    private static int openIcmp(String ifName, int ifIndex) {
        int fd = Native.check(LIBC.socket(Linux.AF_INET6, Linux.SOCK_RAW | Linux.SOCK_CLOEXEC | Linux.SOCK_NONBLOCK, Linux.IPPROTO_ICMPV6),
                "socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6) for neighbour advertisements on " + ifName);
        try {
            Sockets.setInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_MULTICAST_HOPS, 255, "IPV6_MULTICAST_HOPS");
            Sockets.setInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS");
            Sockets.setInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_MULTICAST_IF, ifIndex, "IPV6_MULTICAST_IF, ifindex " + ifIndex);
            Sockets.setInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
            Sockets.bindToDevice(fd, ifName);
            byte[] blockAll = new byte[ICMP6_FILTER_LENGTH];
            Arrays.fill(blockAll, (byte) 0xff);
            Sockets.setBytes(fd, Linux.IPPROTO_ICMPV6, ICMP6_FILTER, blockAll, "ICMP6_FILTER");
            return fd;
        } catch (RuntimeException e) {
            Sockets.closeQuietly(fd);
            throw e;
        }
    }

    private void send(int fd, ByteBuffer body, ByteBuffer destination, int destinationLength, String what, VipAddress vip) {
        int length = body.capacity();
        for (int attempt = 0; ; attempt++) {
            long sent = LIBC.sendto(fd, body, length, 0, destination, destinationLength);
            if (sent == length) {
                return;
            }
            int errno = Native.errno();
            if (sent < 0 && errno == Linux.EINTR && attempt < 10) {
                continue;
            }
            String operation = "send " + what + " for " + vip.addressText() + " on " + ifName;
            if (sent < 0) {
                throw NativeException.fromErrno(operation, errno);
            }
            throw new NativeException(operation, 0, "sent " + sent + " of " + length + " bytes");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Sockets.closeQuietly(packetFd);
            Sockets.closeQuietly(icmpFd);
        }
    }
}
