package org.omnileads.omlha.vip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnileads.omlha.vip.Bytes.concat;
import static org.omnileads.omlha.vip.Bytes.hex;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.NativeException;
import org.omnileads.omlha.vip.Bytes.MessageBuilder;

class NetlinkParsingTest {

    /** The header of a request as the kernel echoes it in an nlmsgerr. */
    private static MessageBuilder error(int errno, int flags, int seq) {
        return new MessageBuilder(Netlink.NLMSG_ERROR, flags, seq).putInt(-errno)
                .putInt(48).putShort(Netlink.RTM_NEWADDR).putShort(0x605).putInt(seq).putInt(4242);
    }

    private static List<Netlink.Message> split(byte[] bytes) {
        return Netlink.split(ByteBuffer.wrap(bytes));
    }

    @Test
    void readsAnAck() {
        List<Netlink.Message> messages = split(error(0, Netlink.NLM_F_CAPPED, 5).build());
        assertEquals(1, messages.size());
        assertEquals(new Netlink.Ack(5, 0, ""), Netlink.ack(messages.get(0)));
    }

    @Test
    void readsAnErrorWithTheKernelsExplanation() {
        byte[] text = "Invalid prefix length\0".getBytes(StandardCharsets.US_ASCII);
        byte[] reply = error(Linux.EINVAL, Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS, 9)
                .attribute(Netlink.NLMSGERR_ATTR_MSG, text).build();
        Netlink.Ack ack = Netlink.ack(split(reply).get(0));
        assertEquals(new Netlink.Ack(9, Linux.EINVAL, "Invalid prefix length"), ack);
        NativeException e = NetlinkSocket.failure("add 192.0.2.100/33 to ifindex 3 (RTM_NEWADDR)", ack);
        assertEquals(Linux.EINVAL, e.errno());
        assertTrue(e.getMessage().startsWith("add 192.0.2.100/33 to ifindex 3 (RTM_NEWADDR): "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(Invalid prefix length) (errno 22)"), e.getMessage());
    }

    @Test
    void skipsTheEchoedRequestWhenNotCapped() {
        byte[] reply = new MessageBuilder(Netlink.NLMSG_ERROR, Netlink.NLM_F_ACK_TLVS, 3).putInt(-Linux.EEXIST)
                .putInt(24).putShort(Netlink.RTM_NEWADDR).putShort(0x605).putInt(3).putInt(0)
                .putBytes(hex("0218000003000000"))
                .attribute(Netlink.NLMSGERR_ATTR_MSG, "exists\0".getBytes(StandardCharsets.US_ASCII)).build();
        assertEquals(new Netlink.Ack(3, Linux.EEXIST, "exists"), Netlink.ack(split(reply).get(0)));
    }

    @Test
    void splitsADatagramOfSeveralMessages() {
        byte[] datagram = concat(error(0, 0, 1).build(), new MessageBuilder(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, 2).putInt(0).build());
        List<Netlink.Message> messages = split(datagram);
        assertEquals(2, messages.size());
        assertEquals(Netlink.NLMSG_DONE, messages.get(1).type());
        assertEquals(2, messages.get(1).seq());
        assertEquals(0, Netlink.doneErrno(messages.get(1)));
    }

    @Test
    void doneCarriesADumpError() {
        byte[] done = new MessageBuilder(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, 2).putInt(-Linux.EINTR).build();
        assertEquals(Linux.EINTR, Netlink.doneErrno(split(done).get(0)));
    }

    @Test
    void readsAnIpv6AddressWithItsExtendedFlags() {
        byte[] message = new MessageBuilder(Netlink.RTM_NEWADDR, Netlink.NLM_F_MULTI, 4)
                .putByte(Linux.AF_INET6).putByte(64).putByte(0x80).putByte(0).putInt(3)
                .attribute(Netlink.IFA_ADDRESS, hex("20010db8000000000000000000000010"))
                .attribute(6 /* IFA_CACHEINFO */, new byte[16])
                .intAttribute(Netlink.IFA_FLAGS, 0x88)
                .build();
        Netlink.Message parsed = split(message).get(0);
        assertEquals(Linux.AF_INET6, Netlink.addressFamily(parsed));
        Netlink.AddressEntry entry = Netlink.address(parsed);
        assertEquals(VipAddress.parse("2001:db8::10/64"), entry.vip());
        assertEquals(3, entry.ifIndex());
        assertTrue(entry.dadFailed());
        assertFalse(entry.tentative());
    }

    @Test
    void ipv4AddressComesFromIfaLocal() {
        byte[] message = new MessageBuilder(Netlink.RTM_NEWADDR, Netlink.NLM_F_MULTI, 4)
                .putByte(Linux.AF_INET).putByte(24).putByte(Netlink.IFA_F_SECONDARY).putByte(0).putInt(7)
                .attribute(Netlink.IFA_ADDRESS, hex("c0000201"))
                .attribute(Netlink.IFA_LOCAL, hex("c0000264"))
                .attribute(3 /* IFA_LABEL */, "vip0\0".getBytes(StandardCharsets.US_ASCII))
                .build();
        Netlink.AddressEntry entry = Netlink.address(split(message).get(0));
        assertEquals(VipAddress.parse("192.0.2.100/24"), entry.vip());
        assertTrue(entry.secondary());
        assertEquals(7, entry.ifIndex());
    }

    @Test
    void readsALink() {
        byte[] message = new MessageBuilder(Netlink.RTM_NEWLINK, 0, 0)
                .putByte(0).putByte(0).putShort(1).putInt(3).putInt(0x11043).putInt(0)
                .attribute(Netlink.IFLA_IFNAME, "vip0\0".getBytes(StandardCharsets.US_ASCII))
                .attribute(Netlink.IFLA_ADDRESS, hex("021122334455"))
                .intAttribute(4 /* IFLA_MTU */, 1500)
                .build();
        LinkState link = Netlink.link(split(message).get(0));
        assertEquals(new LinkState(3, "vip0", true, true, hex("021122334455")), link);
        assertTrue(link.up());
        assertEquals("02:11:22:33:44:55", link.macText());
    }

    @Test
    void aLinkThatIsUpWithoutCarrierIsNotUp() {
        byte[] message = new MessageBuilder(Netlink.RTM_NEWLINK, 0, 0)
                .putByte(0).putByte(0).putShort(1).putInt(3).putInt(0x1003).putInt(1)
                .attribute(Netlink.IFLA_IFNAME, "vip0\0".getBytes(StandardCharsets.US_ASCII)).build();
        LinkState link = Netlink.link(split(message).get(0));
        assertTrue(link.adminUp());
        assertFalse(link.carrier());
        assertFalse(link.up());
        assertArrayEquals(new byte[0], link.mac());
    }

    @Test
    void aDeletedLinkIsDown() {
        byte[] message = new MessageBuilder(Netlink.RTM_DELLINK, 0, 0)
                .putByte(0).putByte(0).putShort(1).putInt(3).putInt(0x11043).putInt(0)
                .attribute(Netlink.IFLA_IFNAME, "vip0\0".getBytes(StandardCharsets.US_ASCII)).build();
        LinkState link = Netlink.link(split(message).get(0));
        assertFalse(link.adminUp());
        assertFalse(link.carrier());
    }

    @Test
    void rejectsAMessageLongerThanTheDatagram() {
        byte[] message = error(0, 0, 1).build();
        byte[] truncated = java.util.Arrays.copyOf(message, message.length - 4);
        NetlinkException e = assertThrows(NetlinkException.class, () -> split(truncated));
        assertEquals("bad message length 36 (32 bytes remain)", e.getMessage());
    }

    @Test
    void rejectsAnIncompleteHeader() {
        NetlinkException e = assertThrows(NetlinkException.class, () -> split(new byte[10]));
        assertEquals("incomplete header: 10 bytes (expected: 16+ bytes)", e.getMessage());
    }

    @Test
    void rejectsAShortNlmsgerr() {
        byte[] reply = new MessageBuilder(Netlink.NLMSG_ERROR, 0, 1).putInt(0).build();
        NetlinkException e = assertThrows(NetlinkException.class, () -> Netlink.ack(split(reply).get(0)));
        assertEquals("incomplete nlmsgerr: 4 bytes (expected: 20+ bytes)", e.getMessage());
    }

    @Test
    void rejectsAnAttributePastItsMessage() {
        byte[] message = new MessageBuilder(Netlink.RTM_NEWADDR, 0, 1)
                .putByte(Linux.AF_INET).putByte(24).putByte(0).putByte(0).putInt(3)
                .putShort(40).putShort(Netlink.IFA_LOCAL).putInt(0).build();
        NetlinkException e = assertThrows(NetlinkException.class, () -> Netlink.address(split(message).get(0)));
        assertEquals("bad attribute length 40 for type 2 (8 bytes remain)", e.getMessage());
    }

    @Test
    void rejectsAnAddressOfTheWrongLength() {
        byte[] message = new MessageBuilder(Netlink.RTM_NEWADDR, 0, 1)
                .putByte(Linux.AF_INET).putByte(24).putByte(0).putByte(0).putInt(3)
                .attribute(Netlink.IFA_LOCAL, hex("20010db8000000000000000000000010")).build();
        NetlinkException e = assertThrows(NetlinkException.class, () -> Netlink.address(split(message).get(0)));
        assertEquals("address of 16 bytes, expected 4", e.getMessage());
    }
}
