package org.omnileads.omlha.vip;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.omnileads.omlha.linux.Linux;

/**
 * rtnetlink messages (RFC 3549; linux/netlink.h, linux/rtnetlink.h, linux/if_addr.h, linux/if_link.h): the
 * encoders for the requests this module sends and the parsers for the replies it reads. Everything is in
 * native byte order except addresses, which are in network order; attributes are aligned to 4 bytes.
 *
 * <p>Encoders write one message at the start of {@code out} (which must be in native order) and return its
 * length. Parsers read only between a buffer's position and limit and throw nothing but
 * {@link NetlinkException}.
 */
final class Netlink {
    private Netlink() {}

    // <linux/netlink.h>
    static final int HEADER_LENGTH = 16;
    static final int NLMSG_NOOP = 1;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLMSG_OVERRUN = 4;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_MULTI = 0x2;
    static final int NLM_F_ACK = 0x4;
    static final int NLM_F_DUMP_INTR = 0x10;
    static final int NLM_F_DUMP = 0x300;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;
    static final int NLM_F_CAPPED = 0x100;
    static final int NLM_F_ACK_TLVS = 0x200;
    static final int NLMSGERR_ATTR_MSG = 1;
    static final int SOL_NETLINK = 270;
    static final int NETLINK_CAP_ACK = 10;
    static final int NETLINK_EXT_ACK = 11;

    // <linux/rtnetlink.h>
    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;
    static final int RTMGRP_LINK = 0x1;
    static final int RTMGRP_IPV4_IFADDR = 0x10;
    static final int RTMGRP_IPV6_IFADDR = 0x100;

    // <linux/if_addr.h>
    static final int IFADDRMSG_LENGTH = 8;
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_BROADCAST = 4;
    static final int IFA_FLAGS = 8;
    static final int IFA_F_SECONDARY = 0x01;
    static final int IFA_F_NODAD = 0x02;
    static final int IFA_F_DADFAILED = 0x08;
    static final int IFA_F_TENTATIVE = 0x40;

    // <linux/if_link.h>, <net/if.h>
    static final int IFINFOMSG_LENGTH = 16;
    static final int IFLA_ADDRESS = 1;
    static final int IFLA_IFNAME = 3;
    static final int IFF_UP = 0x1;
    static final int IFF_RUNNING = 0x40;

    static final int ATTRIBUTE_HEADER_LENGTH = 4;

    static int align(int length) {
        return (length + 3) & ~3;
    }

    // ---- requests -------------------------------------------------------------------------------------

    /**
     * RTM_NEWADDR with NLM_F_CREATE|NLM_F_EXCL (so an existing address answers EEXIST): IFA_LOCAL, IFA_ADDRESS
     * and IFA_BROADCAST for IPv4; IFA_ADDRESS with IFA_F_NODAD for IPv6.
     */
    static int newAddress(ByteBuffer out, int seq, int ifIndex, VipAddress vip) {
        int flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
        return address(out, RTM_NEWADDR, flags, seq, ifIndex, vip, vip.isIpv4() ? 0 : IFA_F_NODAD, true);
    }

    /** RTM_DELADDR for exactly this address and prefix length. */
    static int deleteAddress(ByteBuffer out, int seq, int ifIndex, VipAddress vip) {
        return address(out, RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, seq, ifIndex, vip, 0, false);
    }

    private static int address(ByteBuffer out, int type, int flags, int seq, int ifIndex, VipAddress vip,
                               int addressFlags, boolean withBroadcast) {
        byte[] bytes = vip.address().getAddress();
        header(out, type, flags, seq);
        out.put((byte) vip.family());
        out.put((byte) vip.prefixLength());
        out.put((byte) addressFlags);
        out.put((byte) 0); // RT_SCOPE_UNIVERSE; the kernel derives IPv6 scopes itself
        out.putInt(ifIndex);
        if (vip.isIpv4()) {
            attribute(out, IFA_LOCAL, bytes);
            attribute(out, IFA_ADDRESS, bytes);
            if (withBroadcast && vip.prefixLength() < 31) {
                attribute(out, IFA_BROADCAST, broadcast(bytes, vip.prefixLength()));
            }
        } else {
            attribute(out, IFA_ADDRESS, bytes);
        }
        return finish(out);
    }

    /** The directed broadcast of an IPv4 prefix: the address with every host bit set. */
    static byte[] broadcast(byte[] ipv4, int prefixLength) {
        int address = ((ipv4[0] & 0xff) << 24) | ((ipv4[1] & 0xff) << 16) | ((ipv4[2] & 0xff) << 8) | (ipv4[3] & 0xff);
        int hostMask = prefixLength == 0 ? -1 : (1 << (32 - prefixLength)) - 1;
        int broadcast = address | hostMask;
        return new byte[] {(byte) (broadcast >>> 24), (byte) (broadcast >>> 16), (byte) (broadcast >>> 8), (byte) broadcast};
    }

    /** RTM_GETADDR dump of one family ({@link Linux#AF_UNSPEC} for all). */
    static int dumpAddresses(ByteBuffer out, int seq, int family) {
        header(out, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq);
        out.put((byte) family).put((byte) 0).put((byte) 0).put((byte) 0).putInt(0);
        return finish(out);
    }

    /** RTM_GETLINK for one interface by index. */
    static int getLink(ByteBuffer out, int seq, int ifIndex) {
        header(out, RTM_GETLINK, NLM_F_REQUEST, seq);
        ifinfomsg(out, ifIndex);
        return finish(out);
    }

    /** RTM_GETLINK for one interface by name (IFLA_IFNAME, NUL-terminated). */
    static int getLink(ByteBuffer out, int seq, String name) {
        byte[] text = name.getBytes(StandardCharsets.UTF_8);
        if (text.length == 0 || text.length >= Linux.IFNAMSIZ) {
            throw new IllegalArgumentException("interface name \"" + name + "\" must have 1.." + (Linux.IFNAMSIZ - 1) + " bytes");
        }
        byte[] terminated = new byte[text.length + 1];
        System.arraycopy(text, 0, terminated, 0, text.length);
        header(out, RTM_GETLINK, NLM_F_REQUEST, seq);
        ifinfomsg(out, 0);
        attribute(out, IFLA_IFNAME, terminated);
        return finish(out);
    }

    /** RTM_GETLINK dump of every interface. */
    static int dumpLinks(ByteBuffer out, int seq) {
        header(out, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq);
        ifinfomsg(out, 0);
        return finish(out);
    }

    private static void header(ByteBuffer out, int type, int flags, int seq) {
        out.clear();
        out.putInt(0); // length, patched by finish()
        out.putShort((short) type);
        out.putShort((short) flags);
        out.putInt(seq);
        out.putInt(0); // the kernel fills our port id
    }

    private static void ifinfomsg(ByteBuffer out, int ifIndex) {
        out.put((byte) Linux.AF_UNSPEC).put((byte) 0).putShort((short) 0);
        out.putInt(ifIndex);
        out.putInt(0); // flags
        out.putInt(0); // change mask
    }

    private static void attribute(ByteBuffer out, int type, byte[] value) {
        int length = ATTRIBUTE_HEADER_LENGTH + value.length;
        out.putShort((short) length);
        out.putShort((short) type);
        out.put(value);
        for (int pad = align(length) - length; pad > 0; pad--) {
            out.put((byte) 0);
        }
    }

    private static int finish(ByteBuffer out) {
        int length = out.position();
        out.putInt(0, length);
        out.flip();
        return length;
    }

    // ---- replies --------------------------------------------------------------------------------------

    /** One netlink message; {@code payload} is a native-order view of the bytes after the 16-byte header. */
    record Message(int type, int flags, int seq, int portId, ByteBuffer payload) {}

    /**
     * The NLMSG_ERROR reply to a request: {@code errno} 0 is an ACK; {@code detail} is the kernel's extended
     * ACK text (NLMSGERR_ATTR_MSG) or empty.
     */
    record Ack(int seq, int errno, String detail) {}

    /** One address from an RTM_NEWADDR reply; {@code flags} are the IFA_F_* bits (IFA_FLAGS when present). */
    record AddressEntry(int ifIndex, int prefixLength, int flags, int scope, InetAddress address) {
        VipAddress vip() {
            return new VipAddress(address, prefixLength);
        }

        boolean dadFailed() {
            return (flags & IFA_F_DADFAILED) != 0;
        }

        boolean tentative() {
            return (flags & IFA_F_TENTATIVE) != 0;
        }

        boolean secondary() {
            return (flags & IFA_F_SECONDARY) != 0;
        }
    }

    /** Splits a received datagram (between position and limit) into its messages. */
    static List<Message> split(ByteBuffer datagram) {
        ByteBuffer in = datagram.slice().order(ByteOrder.nativeOrder());
        List<Message> messages = new ArrayList<>(4);
        int offset = 0;
        int limit = in.limit();
        while (offset < limit) {
            int remaining = limit - offset;
            if (remaining < HEADER_LENGTH) {
                throw new NetlinkException("incomplete header: " + remaining + " bytes (expected: " + HEADER_LENGTH + "+ bytes)");
            }
            long length = Integer.toUnsignedLong(in.getInt(offset));
            if (length < HEADER_LENGTH || length > remaining) {
                throw new NetlinkException("bad message length " + length + " (" + remaining + " bytes remain)");
            }
            int type = Short.toUnsignedInt(in.getShort(offset + 4));
            int flags = Short.toUnsignedInt(in.getShort(offset + 6));
            int seq = in.getInt(offset + 8);
            int portId = in.getInt(offset + 12);
            ByteBuffer payload = view(in, offset + HEADER_LENGTH, (int) length - HEADER_LENGTH);
            messages.add(new Message(type, flags, seq, portId, payload));
            offset += Math.min(align((int) length), remaining);
        }
        return messages;
    }

    /** Reads an NLMSG_ERROR message: the negated errno, then the header of the request it answers. */
    static Ack ack(Message message) {
        if (message.type() != NLMSG_ERROR) {
            throw new NetlinkException("expected NLMSG_ERROR, got message type " + message.type());
        }
        ByteBuffer p = message.payload();
        int minimum = 4 + HEADER_LENGTH;
        if (p.remaining() < minimum) {
            throw new NetlinkException("incomplete nlmsgerr: " + p.remaining() + " bytes (expected: " + minimum + "+ bytes)");
        }
        int error = p.getInt(0);
        if (error > 0 || error == Integer.MIN_VALUE) {
            throw new NetlinkException("bad nlmsgerr error " + error + " (expected: 0 or a negated errno)");
        }
        int seq = p.getInt(4 + 8);
        String detail = "";
        if ((message.flags() & NLM_F_ACK_TLVS) != 0) {
            long requestLength = Integer.toUnsignedLong(p.getInt(4));
            long attributesAt = (message.flags() & NLM_F_CAPPED) != 0 ? minimum : 4 + requestLength;
            if (requestLength < HEADER_LENGTH || attributesAt > p.remaining()) {
                throw new NetlinkException("nlmsgerr echoes a request of " + requestLength + " bytes, only "
                        + (p.remaining() - 4) + " present");
            }
            ByteBuffer text = attributes(view(p, (int) attributesAt, p.remaining() - (int) attributesAt), NLMSGERR_ATTR_MSG + 1)[NLMSGERR_ATTR_MSG];
            if (text != null) {
                detail = string(text);
            }
        }
        return new Ack(seq, -error, detail);
    }

    /** The error of an NLMSG_DONE (0 when the dump completed). */
    static int doneErrno(Message message) {
        ByteBuffer p = message.payload();
        if (p.remaining() < 4) {
            return 0;
        }
        int error = p.getInt(0);
        return error < 0 && error != Integer.MIN_VALUE ? -error : 0;
    }

    /** The address family byte of an RTM_NEWADDR/RTM_DELADDR message. */
    static int addressFamily(Message message) {
        if (message.payload().remaining() < IFADDRMSG_LENGTH) {
            throw new NetlinkException("incomplete ifaddrmsg: " + message.payload().remaining() + " bytes (expected: "
                    + IFADDRMSG_LENGTH + "+ bytes)");
        }
        return Byte.toUnsignedInt(message.payload().get(0));
    }

    /** Parses an RTM_NEWADDR message of family AF_INET or AF_INET6 (see {@link #addressFamily}). */
    static AddressEntry address(Message message) {
        int family = addressFamily(message);
        ByteBuffer p = message.payload();
        int expectedLength = switch (family) {
            case Linux.AF_INET -> 4;
            case Linux.AF_INET6 -> 16;
            default -> throw new NetlinkException("unsupported address family " + family);
        };
        int prefixLength = Byte.toUnsignedInt(p.get(1));
        if (prefixLength > expectedLength * 8) {
            throw new NetlinkException("prefix length " + prefixLength + " too long for family " + family);
        }
        int flags = Byte.toUnsignedInt(p.get(2));
        int scope = Byte.toUnsignedInt(p.get(3));
        int ifIndex = p.getInt(4);
        ByteBuffer[] attributes = attributes(view(p, IFADDRMSG_LENGTH, p.remaining() - IFADDRMSG_LENGTH), IFA_FLAGS + 1);
        ByteBuffer local = attributes[IFA_LOCAL] != null ? attributes[IFA_LOCAL] : attributes[IFA_ADDRESS];
        if (local == null) {
            throw new NetlinkException("address message for ifindex " + ifIndex + " has neither IFA_LOCAL nor IFA_ADDRESS");
        }
        if (local.remaining() != expectedLength) {
            throw new NetlinkException("address of " + local.remaining() + " bytes, expected " + expectedLength);
        }
        if (attributes[IFA_FLAGS] != null) {
            if (attributes[IFA_FLAGS].remaining() != 4) {
                throw new NetlinkException("IFA_FLAGS of " + attributes[IFA_FLAGS].remaining() + " bytes, expected 4");
            }
            flags = attributes[IFA_FLAGS].getInt(0);
        }
        byte[] bytes = new byte[expectedLength];
        local.get(0, bytes);
        InetAddress address = expectedLength == 4 ? VipAddress.v4Address(bytes) : VipAddress.v6Address(bytes);
        return new AddressEntry(ifIndex, prefixLength, flags, scope, address);
    }

    /** Parses an RTM_NEWLINK or RTM_DELLINK message; a deleted link is reported down. */
    static LinkState link(Message message) {
        ByteBuffer p = message.payload();
        if (message.type() != RTM_NEWLINK && message.type() != RTM_DELLINK) {
            throw new NetlinkException("expected RTM_NEWLINK or RTM_DELLINK, got message type " + message.type());
        }
        if (p.remaining() < IFINFOMSG_LENGTH) {
            throw new NetlinkException("incomplete ifinfomsg: " + p.remaining() + " bytes (expected: " + IFINFOMSG_LENGTH + "+ bytes)");
        }
        int ifIndex = p.getInt(4);
        int flags = p.getInt(8);
        ByteBuffer[] attributes = attributes(view(p, IFINFOMSG_LENGTH, p.remaining() - IFINFOMSG_LENGTH), IFLA_IFNAME + 1);
        if (attributes[IFLA_IFNAME] == null) {
            throw new NetlinkException("link message for ifindex " + ifIndex + " has no IFLA_IFNAME");
        }
        String name = string(attributes[IFLA_IFNAME]);
        byte[] mac = new byte[attributes[IFLA_ADDRESS] == null ? 0 : attributes[IFLA_ADDRESS].remaining()];
        if (mac.length > 0) {
            attributes[IFLA_ADDRESS].get(0, mac);
        }
        boolean deleted = message.type() == RTM_DELLINK;
        return new LinkState(ifIndex, name, !deleted && (flags & IFF_UP) != 0, !deleted && (flags & IFF_RUNNING) != 0, mac);
    }

    /**
     * The attributes in {@code area}, indexed by type (types at or above {@code size} are skipped; when a
     * type repeats, the last one wins). Each value is a view without the attribute header.
     */
    static ByteBuffer[] attributes(ByteBuffer area, int size) {
        ByteBuffer[] found = new ByteBuffer[size];
        int offset = 0;
        int limit = area.remaining();
        while (offset < limit) {
            int remaining = limit - offset;
            if (remaining < ATTRIBUTE_HEADER_LENGTH) {
                throw new NetlinkException("incomplete attribute header: " + remaining + " bytes (expected: 4+ bytes)");
            }
            int length = Short.toUnsignedInt(area.getShort(offset));
            int type = Short.toUnsignedInt(area.getShort(offset + 2)) & 0x3fff; // without NLA_F_NESTED, NLA_F_NET_BYTEORDER
            if (length < ATTRIBUTE_HEADER_LENGTH || length > remaining) {
                throw new NetlinkException("bad attribute length " + length + " for type " + type + " (" + remaining + " bytes remain)");
            }
            if (type < size) {
                found[type] = view(area, offset + ATTRIBUTE_HEADER_LENGTH, length - ATTRIBUTE_HEADER_LENGTH);
            }
            offset += Math.min(align(length), remaining);
        }
        return found;
    }

    private static ByteBuffer view(ByteBuffer buffer, int offset, int length) {
        return buffer.slice(buffer.position() + offset, length).order(ByteOrder.nativeOrder());
    }

    /** A NUL-terminated (or unterminated) attribute string. */
    private static String string(ByteBuffer value) {
        int length = 0;
        while (length < value.remaining() && value.get(length) != 0) {
            length++;
        }
        byte[] bytes = new byte[length];
        value.get(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
