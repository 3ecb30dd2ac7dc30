package org.omnileads.omlha.vrrp.net;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;

/**
 * The C structures the VRRP transport hands to the kernel, laid out by hand for 64-bit little-endian Linux
 * (x86-64; aarch64 has the same layout). Encoders write into a native-order buffer at an absolute offset;
 * fields the kernel keeps in network byte order (ports, addresses) are written byte by byte.
 */
final class NativeStructs {
    private NativeStructs() {}

    // struct sockaddr_in { u16 family; be16 port; u8 addr[4]; u8 zero[8]; }
    static final int SOCKADDR_IN_SIZE = 16;
    // struct sockaddr_in6 { u16 family; be16 port; be32 flowinfo; u8 addr[16]; u32 scope_id; }
    static final int SOCKADDR_IN6_SIZE = 28;
    static final int SOCKADDR_IN6_ADDR = 8;
    // struct ip_mreqn { u8 multiaddr[4]; u8 address[4]; int ifindex; }
    static final int IP_MREQN_SIZE = 12;
    // struct ipv6_mreq { u8 multiaddr[16]; unsigned ifindex; }
    static final int IPV6_MREQ_SIZE = 20;
    // struct in_pktinfo { int ifindex; u8 spec_dst[4]; u8 addr[4]; }
    static final int IN_PKTINFO_SIZE = 12;
    // struct in6_pktinfo { u8 addr[16]; unsigned ifindex; }
    static final int IN6_PKTINFO_SIZE = 20;
    // struct iovec { void *base; size_t len; }
    static final int IOVEC_SIZE = 16;
    // struct msghdr { void *name; u32 namelen; (pad) iovec *iov; size_t iovlen; void *control; size_t controllen; int flags; (pad) }
    static final int MSGHDR_SIZE = 56;
    static final int MSGHDR_NAMELEN = 8;
    static final int MSGHDR_CONTROLLEN = 40;
    static final int MSGHDR_FLAGS = 48;
    // struct cmsghdr { size_t len; int level; int type; u8 data[]; }, each padded to 8 bytes
    static final int CMSG_HEADER_SIZE = 16;
    // struct timespec { long sec; long nsec; }
    static final int TIMESPEC_SIZE = 16;
    // struct pollfd { int fd; short events; short revents; }
    static final int POLLFD_SIZE = 8;
    static final int POLLFD_REVENTS = 6;
    // struct ifaddrs { ifaddrs *next; char *name; unsigned flags; (pad) sockaddr *addr; ... }
    static final int IFADDRS_NEXT = 0;
    static final int IFADDRS_NAME = 8;
    static final int IFADDRS_ADDR = 24;

    /** A zeroed direct buffer in native byte order, for structures the kernel reads or writes. */
    static ByteBuffer allocate(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }

    /** The native address of a direct buffer's first byte. The buffer must stay reachable while it is used. */
    static long addressOf(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        return Pointer.wrap(Native.RUNTIME, direct).address();
    }

    static int cmsgAlign(long length) {
        return (int) ((length + 7) & ~7L);
    }

    /** CMSG_SPACE: room one control message with {@code dataLength} bytes of data takes in a control buffer. */
    static int cmsgSpace(int dataLength) {
        return CMSG_HEADER_SIZE + cmsgAlign(dataLength);
    }

    /** CMSG_LEN: the value of {@code cmsg_len} for {@code dataLength} bytes of data. */
    static int cmsgLength(int dataLength) {
        return CMSG_HEADER_SIZE + dataLength;
    }

    /** Writes a sockaddr_in (port 0) and returns its length. */
    static int putSockaddrIn(ByteBuffer b, int at, byte[] address4) {
        zero(b, at, SOCKADDR_IN_SIZE);
        b.putShort(at, (short) Linux.AF_INET);
        b.put(at + 4, address4, 0, 4);
        return SOCKADDR_IN_SIZE;
    }

    /** Writes a sockaddr_in6 (port 0, flow label 0) and returns its length. */
    static int putSockaddrIn6(ByteBuffer b, int at, byte[] address16, int scopeId) {
        zero(b, at, SOCKADDR_IN6_SIZE);
        b.putShort(at, (short) Linux.AF_INET6);
        b.put(at + SOCKADDR_IN6_ADDR, address16, 0, 16);
        b.putInt(at + 24, scopeId);
        return SOCKADDR_IN6_SIZE;
    }

    static void putIpMreqn(ByteBuffer b, int at, byte[] multicast4, byte[] local4, int ifIndex) {
        b.put(at, multicast4, 0, 4);
        b.put(at + 4, local4, 0, 4);
        b.putInt(at + 8, ifIndex);
    }

    static void putIpv6Mreq(ByteBuffer b, int at, byte[] multicast16, int ifIndex) {
        b.put(at, multicast16, 0, 16);
        b.putInt(at + 16, ifIndex);
    }

    static void putIovec(ByteBuffer b, int at, long base, long length) {
        b.putLong(at, base);
        b.putLong(at + 8, length);
    }

    static void putMsghdr(ByteBuffer b, int at, long name, int nameLength, long iov, long iovCount,
                          long control, long controlLength) {
        zero(b, at, MSGHDR_SIZE);
        b.putLong(at, name);
        b.putInt(at + MSGHDR_NAMELEN, nameLength);
        b.putLong(at + 16, iov);
        b.putLong(at + 24, iovCount);
        b.putLong(at + 32, control);
        b.putLong(at + MSGHDR_CONTROLLEN, controlLength);
    }

    /** Writes a cmsghdr for {@code dataLength} bytes of data and returns the offset of the data. */
    static int putCmsgHeader(ByteBuffer b, int at, int level, int type, int dataLength) {
        zero(b, at, cmsgSpace(dataLength));
        b.putLong(at, cmsgLength(dataLength));
        b.putInt(at + 8, level);
        b.putInt(at + 12, type);
        return at + CMSG_HEADER_SIZE;
    }

    static void putInPktinfo(ByteBuffer b, int at, int ifIndex, byte[] specDst4) {
        b.putInt(at, ifIndex);
        b.put(at + 4, specDst4, 0, 4);
        b.putInt(at + 8, 0);
    }

    static void putIn6Pktinfo(ByteBuffer b, int at, byte[] address16, int ifIndex) {
        b.put(at, address16, 0, 16);
        b.putInt(at + 16, ifIndex);
    }

    static void putTimespec(ByteBuffer b, int at, long nanos) {
        b.putLong(at, nanos / 1_000_000_000L);
        b.putLong(at + 8, nanos % 1_000_000_000L);
    }

    static void putPollfd(ByteBuffer b, int at, int fd, short events) {
        b.putInt(at, fd);
        b.putShort(at + 4, events);
        b.putShort(at + POLLFD_REVENTS, (short) 0);
    }

    /**
     * Reads the control messages of a received datagram into {@code into}: the hop limit (IPV6_HOPLIMIT),
     * the destination and interface (IPV6_PKTINFO), the interface (IP_PKTINFO). Unknown or malformed
     * messages are skipped; a cmsg_len that does not fit ends the walk.
     */
    static void readControlMessages(ByteBuffer b, int at, int controlLength, ReceivedDatagram into) {
        int pos = 0;
        while (controlLength - pos >= CMSG_HEADER_SIZE) {
            long length = b.getLong(at + pos);
            if (length < CMSG_HEADER_SIZE || length > controlLength - pos) {
                return;
            }
            int level = b.getInt(at + pos + 8);
            int type = b.getInt(at + pos + 12);
            int data = at + pos + CMSG_HEADER_SIZE;
            int dataLength = (int) length - CMSG_HEADER_SIZE;
            if (level == Linux.IPPROTO_IPV6 && type == Linux.IPV6_HOPLIMIT && dataLength >= 4) {
                into.ttlOrHopLimit = b.getInt(data);
            } else if (level == Linux.IPPROTO_IPV6 && type == Linux.IPV6_PKTINFO && dataLength >= IN6_PKTINFO_SIZE) {
                b.get(data, into.destination6, 0, 16);
                into.ifIndex = b.getInt(data + 16);
            } else if (level == Linux.IPPROTO_IP && type == Linux.IP_PKTINFO && dataLength >= IN_PKTINFO_SIZE) {
                into.ifIndex = b.getInt(data);
            }
            pos += cmsgAlign(length);
        }
    }

    private static void zero(ByteBuffer b, int at, int length) {
        for (int i = 0; i < length; i++) {
            b.put(at + i, (byte) 0);
        }
    }
}
