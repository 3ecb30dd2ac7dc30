package org.omnileads.omlha.linux;

/**
 * Linux x86-64 constants that the agent uses. jnr-constants lacks some of them (AF_PACKET, IPPROTO_VRRP),
 * so they are all kept here, with the header they come from.
 */
public final class Linux {
    private Linux() {}

    // <bits/socket.h>
    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;
    public static final int AF_PACKET = 17;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_TRUNC = 0x20;
    public static final int SHUT_RDWR = 2;

    // <asm-generic/socket.h>
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_BINDTODEVICE = 25;
    public static final int SO_PRIORITY = 12;

    // <netinet/in.h>
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_ICMPV6 = 58;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPPROTO_RAW = 255;
    public static final int IPPROTO_VRRP = 112;
    public static final int IP_TTL = 2;
    public static final int IP_PKTINFO = 8;
    public static final int IP_MULTICAST_IF = 32;
    public static final int IP_MULTICAST_TTL = 33;
    public static final int IP_MULTICAST_LOOP = 34;
    public static final int IP_ADD_MEMBERSHIP = 35;
    public static final int IP_DROP_MEMBERSHIP = 36;
    public static final int IPV6_CHECKSUM = 7;
    public static final int IPV6_UNICAST_HOPS = 16;
    public static final int IPV6_MULTICAST_IF = 17;
    public static final int IPV6_MULTICAST_HOPS = 18;
    public static final int IPV6_MULTICAST_LOOP = 19;
    public static final int IPV6_ADD_MEMBERSHIP = 20;
    public static final int IPV6_DROP_MEMBERSHIP = 21;
    public static final int IPV6_RECVPKTINFO = 49;
    public static final int IPV6_PKTINFO = 50;
    public static final int IPV6_RECVHOPLIMIT = 51;
    public static final int IPV6_HOPLIMIT = 52;

    // <linux/if_ether.h>
    public static final int ETH_P_ALL = 0x0003;
    public static final int ETH_P_IP = 0x0800;
    public static final int ETH_P_ARP = 0x0806;
    public static final int ETH_P_IPV6 = 0x86DD;

    // <linux/netlink.h>
    public static final int NETLINK_ROUTE = 0;

    // <poll.h>
    public static final short POLLIN = 0x001;
    public static final short POLLERR = 0x008;
    public static final short POLLHUP = 0x010;
    public static final short POLLNVAL = 0x020;

    // <sys/eventfd.h>
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;

    // sched(7)
    public static final int SCHED_OTHER = 0;
    public static final int SCHED_FIFO = 1;
    /** Or'ed into the policy: threads and processes the thread creates start at SCHED_OTHER. */
    public static final int SCHED_RESET_ON_FORK = 0x40000000;

    // <fcntl.h>
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;

    // <sched.h>
    public static final int CLONE_NEWNET = 0x40000000;

    // <net/if.h>
    public static final int IFNAMSIZ = 16;
    public static final int IFF_UP = 0x1;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_MULTICAST = 0x1000;

    // <bits/socket.h> msg_flags
    public static final int MSG_CTRUNC = 0x08;

    // <asm-generic/errno-base.h>, <asm-generic/errno.h>
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENETDOWN = 100;
    public static final int ENETUNREACH = 101;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENOBUFS = 105;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
}
