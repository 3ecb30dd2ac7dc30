package org.omnileads.omlha.vrrp.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Pointer;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;
import org.omnileads.omlha.linux.NativeException;

/**
 * A raw IP socket for VRRP (IP protocol 112) on one interface: it joins the VRRP group (224.0.0.18,
 * ff02::12; RFC 5798 §5.1.1.2, §5.1.2.2), sends with TTL / hop limit 255 (§5.1.1.3, §5.1.2.3) and receives
 * without blocking, so an event loop waits on {@link #fd()} with a {@link Poller}. It moves bytes only: the
 * VRRP message is encoded and decoded elsewhere.
 *
 * <p>IPv4: the kernel builds the IP header; the source address is pinned per datagram with an IP_PKTINFO
 * control message rather than with bind(2), because a raw socket bound to a unicast address only receives
 * datagrams addressed to that address, and would miss the adverts sent to 224.0.0.18. Received datagrams
 * include the IP header (see {@link ReceivedDatagram}).
 *
 * <p>IPv6: the kernel computes the VRRP checksum over the IPv6 pseudo-header at offset 6 on send and
 * verifies it on receive (IPV6_CHECKSUM), so datagrams with a bad checksum never arrive here. The hop limit
 * and destination come from control messages.
 *
 * <p>The send and receive paths each use native buffers laid out once: after opening, neither allocates
 * (a new destination costs one entry in a small cache). Send from one thread at a time and receive from one
 * thread at a time; close once the threads using the socket have stopped.
 */
public final class VrrpSocket implements AutoCloseable {
    public static final Inet4Address IPV4_GROUP = (Inet4Address) literal(new byte[] {(byte) 224, 0, 0, 18});
    public static final Inet6Address IPV6_GROUP =
            (Inet6Address) literal(new byte[] {(byte) 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12});
    /** Largest message {@link #send} takes; a VRRP message is at most 4088 bytes (255 IPv6 addresses). */
    public static final int MAX_MESSAGE = 8192;

    private static final int TTL = 255;
    private static final int VRRP_CHECKSUM_OFFSET = 6;
    private static final int DESTINATION_SLOTS = 8;
    private static final int NAME_SLOT_SIZE = 32;

    // Send block: msghdr, one iovec, one pktinfo control message, a cache of encoded destinations.
    private static final int SEND_IOV = NativeStructs.MSGHDR_SIZE;
    private static final int SEND_CONTROL = SEND_IOV + NativeStructs.IOVEC_SIZE;
    private static final int SEND_CONTROL_SIZE = NativeStructs.cmsgSpace(NativeStructs.IN6_PKTINFO_SIZE);
    private static final int SEND_NAMES = SEND_CONTROL + SEND_CONTROL_SIZE;
    private static final int SEND_BLOCK_SIZE = SEND_NAMES + DESTINATION_SLOTS * NAME_SLOT_SIZE;

    // Receive block: msghdr, one iovec (pointing into the caller's ReceivedDatagram), source address, control.
    private static final int RECEIVE_IOV = NativeStructs.MSGHDR_SIZE;
    private static final int RECEIVE_NAME = RECEIVE_IOV + NativeStructs.IOVEC_SIZE;
    private static final int RECEIVE_CONTROL = RECEIVE_NAME + NAME_SLOT_SIZE;
    private static final int RECEIVE_CONTROL_SIZE = 128;
    private static final int RECEIVE_BLOCK_SIZE = RECEIVE_CONTROL + RECEIVE_CONTROL_SIZE;

    private final int family;
    private final String interfaceName;
    private final int ifIndex;
    private final InetAddress sourceAddress;
    private volatile int fd;

    private final ByteBuffer sendPayload = NativeStructs.allocate(MAX_MESSAGE);
    private final ByteBuffer sendBlock = NativeStructs.allocate(SEND_BLOCK_SIZE);
    private final long sendBlockAddress = NativeStructs.addressOf(sendBlock);
    private final Pointer sendHeader = Pointer.wrap(Native.RUNTIME, sendBlockAddress);
    private final InetAddress[] destinations = new InetAddress[DESTINATION_SLOTS];
    private int nextDestinationSlot;

    private final ByteBuffer receiveBlock = NativeStructs.allocate(RECEIVE_BLOCK_SIZE);
    private final long receiveBlockAddress = NativeStructs.addressOf(receiveBlock);
    private final Pointer receiveHeader = Pointer.wrap(Native.RUNTIME, receiveBlockAddress);

    private VrrpSocket(int family, int fd, String interfaceName, int ifIndex, InetAddress sourceAddress) {
        this.family = family;
        this.fd = fd;
        this.interfaceName = interfaceName;
        this.ifIndex = ifIndex;
        this.sourceAddress = sourceAddress;
        layOutSendBlock();
        layOutReceiveBlock();
    }

    /**
     * An IPv4 VRRP socket on {@code ifName}, member of 224.0.0.18 there. Datagrams leave with
     * {@code sourceAddress} as source (it must be an address of this host; null lets the kernel choose).
     */
    public static VrrpSocket openIpv4(String ifName, Inet4Address sourceAddress) {
        int ifIndex = Interfaces.ifIndex(ifName);
        int fd = openRaw(Linux.AF_INET, "AF_INET", ifName);
        try {
            byte[] source = sourceAddress == null ? new byte[4] : sourceAddress.getAddress();
            bindToDevice(fd, ifName);
            setInt(fd, Linux.IPPROTO_IP, Linux.IP_MULTICAST_TTL, TTL, "IP_MULTICAST_TTL", ifName);
            setInt(fd, Linux.IPPROTO_IP, Linux.IP_TTL, TTL, "IP_TTL", ifName);
            setInt(fd, Linux.IPPROTO_IP, Linux.IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP", ifName);
            setInt(fd, Linux.IPPROTO_IP, Linux.IP_PKTINFO, 1, "IP_PKTINFO", ifName);
            ByteBuffer mreqn = ByteBuffer.allocate(NativeStructs.IP_MREQN_SIZE).order(ByteOrder.nativeOrder());
            NativeStructs.putIpMreqn(mreqn, 0, new byte[4], source, ifIndex);
            setOption(fd, Linux.IPPROTO_IP, Linux.IP_MULTICAST_IF, mreqn, "IP_MULTICAST_IF", ifName);
            NativeStructs.putIpMreqn(mreqn, 0, IPV4_GROUP.getAddress(), new byte[4], ifIndex);
            setOption(fd, Linux.IPPROTO_IP, Linux.IP_ADD_MEMBERSHIP, mreqn, "IP_ADD_MEMBERSHIP 224.0.0.18", ifName);
            return new VrrpSocket(Linux.AF_INET, fd, ifName, ifIndex, sourceAddress);
        } catch (RuntimeException e) {
            Native.LIBC.close(fd);
            throw e;
        }
    }

    /** An IPv6 VRRP socket on {@code ifName}, member of ff02::12 there; the kernel chooses the source. */
    public static VrrpSocket openIpv6(String ifName) {
        return openIpv6(ifName, null);
    }

    /**
     * An IPv6 VRRP socket on {@code ifName}, member of ff02::12 there, whose datagrams leave with
     * {@code sourceAddress} as source (VRRP wants the interface's link-local address; null lets the kernel
     * choose, which for ff02::12 is the link-local address).
     */
    public static VrrpSocket openIpv6(String ifName, Inet6Address sourceAddress) {
        int ifIndex = Interfaces.ifIndex(ifName);
        int fd = openRaw(Linux.AF_INET6, "AF_INET6", ifName);
        try {
            bindToDevice(fd, ifName);
            setInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_MULTICAST_HOPS, TTL, "IPV6_MULTICAST_HOPS", ifName);
            setInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_UNICAST_HOPS, TTL, "IPV6_UNICAST_HOPS", ifName);
            setInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP", ifName);
            setInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_MULTICAST_IF, ifIndex, "IPV6_MULTICAST_IF", ifName);
            ByteBuffer mreq = ByteBuffer.allocate(NativeStructs.IPV6_MREQ_SIZE).order(ByteOrder.nativeOrder());
            NativeStructs.putIpv6Mreq(mreq, 0, IPV6_GROUP.getAddress(), ifIndex);
            setOption(fd, Linux.IPPROTO_IPV6, Linux.IPV6_ADD_MEMBERSHIP, mreq, "IPV6_ADD_MEMBERSHIP ff02::12", ifName);
            setInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT", ifName);
            setInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO", ifName);
            setInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_CHECKSUM, VRRP_CHECKSUM_OFFSET, "IPV6_CHECKSUM", ifName);
            return new VrrpSocket(Linux.AF_INET6, fd, ifName, ifIndex, sourceAddress);
        } catch (RuntimeException e) {
            Native.LIBC.close(fd);
            throw e;
        }
    }

    /**
     * Sends the bytes between the message's position and limit (its position is left unchanged) to
     * {@code destination}: the VRRP group or a unicast peer of this socket's address family.
     *
     * @throws NativeException when the kernel refuses, e.g. {@code sendmsg(224.0.0.18 on eth0): Network is down (errno 100)}
     */
    public void send(ByteBuffer vrrpMessage, InetAddress destination) {
        int socket = requireOpen();
        int length = vrrpMessage.remaining();
        if (length > MAX_MESSAGE) {
            throw new IllegalArgumentException("message of " + length + " bytes, at most " + MAX_MESSAGE);
        }
        int slot = destinationSlot(destination);
        sendPayload.put(0, vrrpMessage, vrrpMessage.position(), length);
        sendBlock.putLong(0, sendBlockAddress + SEND_NAMES + (long) slot * NAME_SLOT_SIZE);
        sendBlock.putInt(NativeStructs.MSGHDR_NAMELEN, sockaddrLength());
        sendBlock.putLong(SEND_IOV + 8, length);
        long sent = Native.LIBC.sendmsg(socket, sendHeader, 0);
        if (sent < 0) {
            int errno = Native.errno();
            String hint = errno == Linux.EPERM ? " - a firewall rule (nftables, iptables) rejected the packet" : "";
            throw new NativeException(sendOperation(destination), errno, Native.describe(errno) + hint);
        }
        if (sent != length) {
            throw new IllegalStateException(sendOperation(destination) + " sent " + sent + " of " + length + " bytes");
        }
    }

    /**
     * Reads one waiting datagram into {@code into}, without blocking.
     *
     * @return false when nothing is waiting
     * @throws NativeException when the kernel reports an error, including an ICMP error left by an earlier
     *     send (reading it clears it, the next receive goes on)
     */
    public boolean receive(ReceivedDatagram into) {
        int socket = requireOpen();
        into.reset(family);
        receiveBlock.putLong(RECEIVE_IOV, into.bufferAddress);
        receiveBlock.putLong(RECEIVE_IOV + 8, into.buffer.capacity());
        receiveBlock.putInt(NativeStructs.MSGHDR_NAMELEN, sockaddrLength());
        receiveBlock.putLong(NativeStructs.MSGHDR_CONTROLLEN, RECEIVE_CONTROL_SIZE);
        receiveBlock.putInt(NativeStructs.MSGHDR_FLAGS, 0);
        long received = Native.LIBC.recvmsg(socket, receiveHeader, 0);
        if (received < 0) {
            int errno = Native.errno();
            if (errno == Linux.EAGAIN || errno == Linux.EINTR) {
                return false;
            }
            String hint = errno == Linux.ECONNREFUSED || errno == Linux.EHOSTUNREACH || errno == Linux.ENETUNREACH
                    ? " - an ICMP error for an earlier send" : "";
            throw new NativeException("recvmsg(on " + interfaceName + ")", errno, Native.describe(errno) + hint);
        }
        into.length = (int) received;
        into.messageEnd = into.length;
        into.truncated = (receiveBlock.getInt(NativeStructs.MSGHDR_FLAGS) & Linux.MSG_TRUNC) != 0;
        if (family == Linux.AF_INET) {
            into.readIpv4Header();
        } else {
            receiveBlock.get(RECEIVE_NAME + NativeStructs.SOCKADDR_IN6_ADDR, into.source6, 0, 16);
        }
        int controlLength = (int) Math.min(receiveBlock.getLong(NativeStructs.MSGHDR_CONTROLLEN), RECEIVE_CONTROL_SIZE);
        NativeStructs.readControlMessages(receiveBlock, RECEIVE_CONTROL, controlLength, into);
        return true;
    }

    /** The socket's file descriptor, for a {@link Poller}; -1 once closed. */
    public int fd() {
        return fd;
    }

    /** {@link Linux#AF_INET} or {@link Linux#AF_INET6}. */
    public int family() {
        return family;
    }

    public String interfaceName() {
        return interfaceName;
    }

    public int ifIndex() {
        return ifIndex;
    }

    /** Closes the socket (which leaves the group); later calls do nothing. */
    @Override
    public void close() {
        int socket;
        synchronized (this) {
            socket = fd;
            fd = -1;
        }
        if (socket >= 0) {
            Native.LIBC.close(socket);
        }
    }

    @Override
    public String toString() {
        return "VrrpSocket[" + (family == Linux.AF_INET ? "IPv4" : "IPv6") + " on " + interfaceName
                + " (ifindex " + ifIndex + "), fd " + fd + "]";
    }

    private void layOutSendBlock() {
        NativeStructs.putMsghdr(sendBlock, 0, 0, 0, sendBlockAddress + SEND_IOV, 1,
                sendBlockAddress + SEND_CONTROL, SEND_CONTROL_SIZE);
        NativeStructs.putIovec(sendBlock, SEND_IOV, NativeStructs.addressOf(sendPayload), 0);
        if (family == Linux.AF_INET) {
            byte[] source = sourceAddress == null ? new byte[4] : sourceAddress.getAddress();
            int data = NativeStructs.putCmsgHeader(sendBlock, SEND_CONTROL, Linux.IPPROTO_IP, Linux.IP_PKTINFO,
                    NativeStructs.IN_PKTINFO_SIZE);
            NativeStructs.putInPktinfo(sendBlock, data, ifIndex, source);
            sendBlock.putLong(NativeStructs.MSGHDR_CONTROLLEN, NativeStructs.cmsgSpace(NativeStructs.IN_PKTINFO_SIZE));
        } else {
            byte[] source = sourceAddress == null ? new byte[16] : sourceAddress.getAddress();
            int data = NativeStructs.putCmsgHeader(sendBlock, SEND_CONTROL, Linux.IPPROTO_IPV6, Linux.IPV6_PKTINFO,
                    NativeStructs.IN6_PKTINFO_SIZE);
            NativeStructs.putIn6Pktinfo(sendBlock, data, source, ifIndex);
        }
    }

    private void layOutReceiveBlock() {
        NativeStructs.putMsghdr(receiveBlock, 0, receiveBlockAddress + RECEIVE_NAME, sockaddrLength(),
                receiveBlockAddress + RECEIVE_IOV, 1, receiveBlockAddress + RECEIVE_CONTROL, RECEIVE_CONTROL_SIZE);
    }

    private int sockaddrLength() {
        return family == Linux.AF_INET ? NativeStructs.SOCKADDR_IN_SIZE : NativeStructs.SOCKADDR_IN6_SIZE;
    }

    /** The cache slot holding {@code destination} as a sockaddr, encoding it on a miss (oldest slot first). */
    private int destinationSlot(InetAddress destination) {
        for (int slot = 0; slot < DESTINATION_SLOTS; slot++) {
            if (destination.equals(destinations[slot])) {
                return slot;
            }
        }
        int slot = nextDestinationSlot;
        int at = SEND_NAMES + slot * NAME_SLOT_SIZE;
        if (family == Linux.AF_INET && destination instanceof Inet4Address) {
            NativeStructs.putSockaddrIn(sendBlock, at, destination.getAddress());
        } else if (family == Linux.AF_INET6 && destination instanceof Inet6Address v6) {
            int scope = v6.isLinkLocalAddress() || v6.isMCLinkLocal() ? ifIndex : 0;
            NativeStructs.putSockaddrIn6(sendBlock, at, v6.getAddress(), scope);
        } else {
            throw new IllegalArgumentException("cannot send to " + destination.getHostAddress() + " on " + this);
        }
        destinations[slot] = destination;
        nextDestinationSlot = (slot + 1) % DESTINATION_SLOTS;
        return slot;
    }

    private String sendOperation(InetAddress destination) {
        return "sendmsg(" + destination.getHostAddress()
                + (sourceAddress == null ? "" : " from " + sourceAddress.getHostAddress())
                + " on " + interfaceName + ")";
    }

    private int requireOpen() {
        int socket = fd;
        if (socket < 0) {
            throw new IllegalStateException(this + " is closed");
        }
        return socket;
    }

    private static int openRaw(int family, String familyName, String ifName) {
        int type = Linux.SOCK_RAW | Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC;
        return Native.check(Native.LIBC.socket(family, type, Linux.IPPROTO_VRRP),
                "socket(" + familyName + ", SOCK_RAW, IPPROTO_VRRP) for " + ifName);
    }

    private static void bindToDevice(int fd, String ifName) {
        byte[] name = ifName.getBytes(StandardCharsets.UTF_8);
        setOption(fd, Linux.SOL_SOCKET, Linux.SO_BINDTODEVICE, ByteBuffer.wrap(name), "SO_BINDTODEVICE", ifName);
    }

    private static void setInt(int fd, int level, int option, int value, String optionName, String ifName) {
        ByteBuffer buffer = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, value);
        setOption(fd, level, option, buffer, optionName + " " + value, ifName);
    }

    private static void setOption(int fd, int level, int option, ByteBuffer value, String description, String ifName) {
        Native.check(Native.LIBC.setsockopt(fd, level, option, value, value.capacity()),
                "setsockopt(" + description + ", \"" + ifName + "\")");
    }

    private static InetAddress literal(byte[] address) {
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
