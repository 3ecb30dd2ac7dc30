package org.omnileads.omlha.vip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.omnileads.omlha.linux.Native.LIBC;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;
import org.omnileads.omlha.linux.NativeException;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * The module against a real kernel, on a fresh {@link NetnsLab} per test: host {@code vip} (192.0.2.1/24,
 * 2001:db8::1/64), where the code under test runs, and host {@code peer} (.2, ::2), cabled to one bridge.
 * Needs root. Runs with the module's tests by default; alone with
 * {@code mvn -B -q -o -pl vip-manager test -DexcludedGroups= -Dgroups=lab}; skipped with {@code -Dlab.skip=true}.
 */
@Tag("lab")
class VipLabTest {
    private static final VipAddress V4 = VipAddress.parse("192.0.2.100/24");
    private static final VipAddress V6 = VipAddress.parse("2001:db8::10/64");
    private static final String FAKE_MAC = "02:00:00:00:00:01";
    private static final String IF = NetnsLab.NIC;
    private static final String PEER_IF = NetnsLab.NIC;

    private NetnsLab lab;
    private NetnsLab.Host vipHost;
    private NetnsLab.Host peerHost;
    private AddressManager addresses;
    private LinkMonitor links;
    private LinkState vip0;

    @BeforeEach
    void createLab() throws Exception {
        lab = NetnsLab.create();
        vipHost = lab.addHost("vip", "192.0.2.1/24", "2001:db8::1/64");
        peerHost = lab.addHost("peer", "192.0.2.2/24", "2001:db8::2/64");
        // A lab host skips DAD and learns neighbours from gratuitous ARP; these tests want the kernel's defaults.
        lab.sysctl(vipHost, "net.ipv6.conf." + IF + ".accept_dad=1");
        lab.sysctl(peerHost, "net.ipv4.conf.all.arp_accept=0", "net.ipv4.conf." + PEER_IF + ".arp_accept=0");
        addresses = lab.call(vipHost, AddressManager::open);
        links = lab.call(vipHost, LinkMonitor::open);
        vip0 = links.query(IF);
    }

    @AfterEach
    void removeLab() throws IOException {
        try {
            if (addresses != null) {
                addresses.close();
            }
            if (links != null) {
                links.close();
            }
        } finally {
            lab.close();
        }
        assertEquals(List.of(), lab.remainingNamespaces(), "the lab's namespaces must be gone");
    }

    @Test
    void ipv4VipIsAddedOnceAndRemovedOnce() {
        int ifIndex = vip0.ifIndex();
        assertTrue(addresses.add(ifIndex, V4));
        assertTrue(addressLine("192.0.2.100/24").contains("brd 192.0.2.255"), ns("-o", "addr", "show", "dev", IF));
        assertTrue(addresses.isPresent(ifIndex, V4));
        assertFalse(addresses.add(ifIndex, V4), "a second add finds it there");
        assertTrue(addresses.list(ifIndex).containsAll(List.of(V4, VipAddress.parse("192.0.2.1/24"), VipAddress.parse("2001:db8::1/64"))));

        assertTrue(addresses.remove(ifIndex, V4));
        assertFalse(addresses.remove(ifIndex, V4), "a second remove finds it gone");
        assertFalse(addresses.isPresent(ifIndex, V4));
        assertEquals("", addressLine("192.0.2.100/"));
        assertUnmanagedAddressesIntact();
    }

    @Test
    void ipv6VipIsNeverTentative() {
        int ifIndex = vip0.ifIndex();
        assertTrue(addresses.add(ifIndex, V6));
        String line = addressLine("2001:db8::10/64");
        assertTrue(line.contains("nodad"), line);
        assertFalse(line.contains("tentative"), line);
        assertFalse(line.contains("dadfailed"), line);
        assertTrue(addresses.isPresent(ifIndex, V6));
        assertFalse(addresses.add(ifIndex, V6));

        assertTrue(addresses.remove(ifIndex, V6));
        assertFalse(addresses.remove(ifIndex, V6));
        assertEquals("", addressLine("2001:db8::10/"));
        assertUnmanagedAddressesIntact();
    }

    @Test
    void removingAVipWithAnotherPrefixLengthLeavesTheAddressAlone() {
        int ifIndex = vip0.ifIndex();
        assertTrue(addresses.add(ifIndex, V4));
        assertFalse(addresses.remove(ifIndex, VipAddress.parse("192.0.2.100/25")));
        assertTrue(addresses.isPresent(ifIndex, V4));
        assertFalse(addresses.remove(ifIndex, VipAddress.parse("192.0.2.1/25")));
        assertUnmanagedAddressesIntact();
    }

    @Test
    void anIpv6VipStuckInDadfailedIsAddedAgain() {
        VipAddress duplicate = VipAddress.parse("2001:db8::20/64");
        peer("addr", "add", "2001:db8::20/64", "dev", PEER_IF, "nodad");
        waitForLinkLocal();
        ns("addr", "add", "2001:db8::20/64", "dev", IF);
        assertTrue(waitFor(() -> addressLine("2001:db8::20/64").contains("dadfailed"), 10),
                "DAD should fail against the peer: " + addressLine("2001:db8::20/64"));
        assertFalse(addresses.isPresent(vip0.ifIndex(), duplicate), "a dadfailed address is not usable");

        assertTrue(addresses.add(vip0.ifIndex(), duplicate));
        String line = addressLine("2001:db8::20/64");
        assertFalse(line.contains("dadfailed"), line);
        assertFalse(line.contains("tentative"), line);
        assertTrue(addresses.isPresent(vip0.ifIndex(), duplicate));
    }

    @Test
    void addToAMissingInterfaceNamesTheOperation() {
        NativeException e = assertThrows(NativeException.class, () -> addresses.add(9999, V4));
        assertEquals(Linux.ENODEV, e.errno());
        assertTrue(e.getMessage().startsWith("add 192.0.2.100/24 to ifindex 9999 (RTM_NEWADDR): "), e.getMessage());
    }

    @Test
    void linkMonitorReportsStateAndEvents() throws Exception {
        assertEquals(IF, vip0.name());
        assertTrue(vip0.up());
        assertEquals(macOf(ns("link", "show", "dev", IF)), vip0.macText());
        assertEquals(vip0, links.query(vip0.ifIndex()));
        NativeException missing = assertThrows(NativeException.class, () -> links.query("nosuch0"));
        assertEquals(Linux.ENODEV, missing.errno());

        drainAll();
        ns("link", "set", "dev", IF, "down");
        LinkState down = awaitEvent(s -> s.ifIndex() == vip0.ifIndex() && !s.adminUp());
        assertFalse(down.up());
        assertFalse(links.query(IF).adminUp());

        ns("link", "set", "dev", IF, "up");
        awaitEvent(s -> s.ifIndex() == vip0.ifIndex() && s.up());

        lab.setCable(vipHost, false);
        LinkState noCarrier = awaitEvent(s -> s.ifIndex() == vip0.ifIndex() && !s.carrier());
        assertTrue(noCarrier.adminUp(), "the cable pulled at the switch takes the carrier, not the admin state: " + noCarrier);

        lab.setCable(vipHost, true);
        awaitEvent(s -> s.ifIndex() == vip0.ifIndex() && s.up());
    }

    @Test
    void anAddressRemovedBehindOurBackIsAnEvent() throws InterruptedException {
        addresses.add(vip0.ifIndex(), V4);
        addresses.add(vip0.ifIndex(), V6);
        drainAll();
        ns("addr", "del", "192.0.2.100/24", "dev", IF);
        ns("addr", "del", "2001:db8::10/64", "dev", IF);

        List<String> removed = new ArrayList<>();
        LinkMonitor.Events events = new LinkMonitor.Events() {
            public void onLink(LinkState link) {
            }

            public void onAddressRemoved(int ifIndex, VipAddress address) {
                removed.add(ifIndex + " " + address);
            }

            public void onAddressEventsLost() {
                removed.add("lost");
            }
        };
        for (int i = 0; i < 250 && removed.size() < 2; i++) {
            links.drain(events);
            Thread.sleep(20);
        }
        assertEquals(List.of(vip0.ifIndex() + " " + V4, vip0.ifIndex() + " " + V6), removed);
    }

    @Test
    void lostLinkEventsAreReplacedByAFreshView() {
        Sockets.setInt(links.fd(), Linux.SOL_SOCKET, Linux.SO_RCVBUF, 1, "SO_RCVBUF");
        drainAll();
        for (int i = 0; i < 10; i++) {
            ns("link", "set", "dev", IF, i % 2 == 0 ? "down" : "up");
        }
        List<LinkState> delivered = new ArrayList<>();
        boolean[] addressEventsLost = {false};
        links.drain(new LinkMonitor.Events() {
            public void onLink(LinkState link) {
                delivered.add(link);
            }

            public void onAddressRemoved(int ifIndex, VipAddress address) {
            }

            public void onAddressEventsLost() {
                addressEventsLost[0] = true;
            }
        });
        assertTrue(addressEventsLost[0], "address events are lost with the link events: the caller must check by asking");
        assertTrue(delivered.stream().anyMatch(s -> s.name().equals("lo")),
                "after an overflow every link is reported, lo included: " + delivered);
        LinkState last = null;
        for (LinkState state : delivered) {
            if (state.ifIndex() == vip0.ifIndex()) {
                last = state;
            }
        }
        assertTrue(last != null && last.adminUp(), "the last word on vip0 is its current state: " + delivered);
    }

    @Test
    void gratuitousArpAlternatesRequestAndReplyAndUpdatesThePeersNeighbourEntry() throws Exception {
        assertTrue(addresses.add(vip0.ifIndex(), V4));
        int capture = lab.call(peerHost, () -> Native.check(LIBC.socket(Linux.AF_PACKET, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC,
                htons(Linux.ETH_P_ARP)), "socket(AF_PACKET, SOCK_DGRAM, ETH_P_ARP)"));
        try (Announcer announcer = lab.call(vipHost, () -> Announcer.open(IF, vip0.ifIndex(), vip0.mac()))) {
            Sockets.receiveTimeout(capture, 100);
            int[] operations = {AnnouncementFrames.ARP_REQUEST, AnnouncementFrames.ARP_REPLY, AnnouncementFrames.ARP_REQUEST};
            for (int operation : operations) {
                peer("neigh", "replace", "192.0.2.100", "lladdr", FAKE_MAC, "dev", PEER_IF, "nud", "stale");
                assertTrue(neighbour("192.0.2.100").contains(FAKE_MAC));
                announcer.announce(V4);

                ByteBuffer expected = ByteBuffer.allocate(AnnouncementFrames.ARP_LENGTH);
                AnnouncementFrames.arp(expected, operation, vip0.mac(), V4.address().getAddress());
                assertEquals(hex(expected.array()), hex(receiveArpFrom(capture, vip0.mac())), "ARP operation " + operation);
                assertTrue(waitFor(() -> neighbour("192.0.2.100").contains(vip0.macText()), 5),
                        "ARP operation " + operation + " should move the peer's entry to " + vip0.macText() + ": " + neighbour("192.0.2.100"));
            }

            peer("neigh", "flush", "dev", PEER_IF);
            lab.sysctl(peerHost, "net.ipv4.conf." + PEER_IF + ".arp_accept=1");
            announcer.announce(V4);
            assertTrue(waitFor(() -> neighbour("192.0.2.100").contains(vip0.macText()), 5),
                    "with arp_accept the peer learns a new entry: " + neighbour("192.0.2.100"));
        } finally {
            LIBC.close(capture);
        }
    }

    /** The next ARP body whose sender hardware address is {@code mac} (bounded to 5 s). */
    private static byte[] receiveArpFrom(int fd, byte[] mac) {
        ByteBuffer buffer = Sockets.direct(1500);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            buffer.clear();
            long length = LIBC.recvfrom(fd, buffer, 1500, 0, null, null);
            if (length < AnnouncementFrames.ARP_LENGTH) {
                continue; // the 100 ms receive timeout, or a runt
            }
            byte[] body = new byte[AnnouncementFrames.ARP_LENGTH];
            buffer.get(0, body);
            if (Arrays.equals(Arrays.copyOfRange(body, 8, 14), mac)) {
                return body;
            }
        }
        throw new AssertionError("no ARP frame from " + hex(mac) + " reached the peer within 5 s");
    }

    @Test
    void unsolicitedNeighbourAdvertisementUpdatesThePeersNeighbourEntry() throws Exception {
        assertTrue(addresses.add(vip0.ifIndex(), V6));
        String linkLocal = waitForLinkLocal();
        peer("neigh", "replace", "2001:db8::10", "lladdr", FAKE_MAC, "dev", PEER_IF, "nud", "stale");
        int receiver = lab.call(peerHost, () -> Native.check(LIBC.socket(Linux.AF_INET6, Linux.SOCK_RAW | Linux.SOCK_CLOEXEC,
                Linux.IPPROTO_ICMPV6), "socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)"));
        try (Announcer announcer = lab.call(vipHost, () -> Announcer.open(IF, vip0.ifIndex(), vip0.mac()))) {
            Sockets.receiveTimeout(receiver, 100);
            announcer.announce(V6);

            Received advertisement = receiveAdvertisement(receiver, V6);
            assertEquals(linkLocal, advertisement.source(), "the source is the interface's link-local address");
            ByteBuffer expected = ByteBuffer.allocate(AnnouncementFrames.NA_LENGTH);
            AnnouncementFrames.neighborAdvertisement(expected, vip0.mac(), V6.address().getAddress());
            byte[] body = advertisement.body();
            assertNotEquals(0, ((body[2] & 0xff) << 8) | (body[3] & 0xff), "the kernel fills the checksum");
            body[2] = 0;
            body[3] = 0;
            assertArrayEquals(expected.array(), body);

            assertTrue(waitFor(() -> neighbour("2001:db8::10").contains(vip0.macText()), 5),
                    "the advertisement should override the peer's entry: " + neighbour("2001:db8::10"));
        } finally {
            LIBC.close(receiver);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** {@code ip ARGS...} in the vip host's namespace. */
    private String ns(String... args) {
        try {
            return lab.ip(vipHost, args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code ip ARGS...} in the peer's namespace. */
    private String peer(String... args) {
        try {
            return lab.ip(peerHost, args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls {@code condition} every 50 ms for at most {@code seconds}; false when it never held. */
    private static boolean waitFor(BooleanSupplier condition, double seconds) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private record Received(String source, byte[] body) {}

    /** Reads ICMPv6 messages on the peer until the advertisement for {@code vip} (bounded to 5 s). */
    private static Received receiveAdvertisement(int fd, VipAddress vip) {
        ByteBuffer buffer = Sockets.direct(1500);
        ByteBuffer source = Sockets.direct(28);
        byte[] target = vip.address().getAddress();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            int[] sourceLength = {28};
            buffer.clear();
            long length = LIBC.recvfrom(fd, buffer, 1500, 0, source, sourceLength);
            if (length < 0) {
                continue; // the 100 ms receive timeout
            }
            byte[] body = new byte[(int) length];
            buffer.get(0, body);
            byte[] bodyTarget = length >= 24 ? Arrays.copyOfRange(body, 8, 24) : new byte[0];
            if ((body[0] & 0xff) == AnnouncementFrames.ICMPV6_NEIGHBOR_ADVERTISEMENT && Arrays.equals(bodyTarget, target)) {
                byte[] address = new byte[16];
                source.get(8, address);
                return new Received(VipAddress.format(VipAddress.v6Address(address)), body);
            }
        }
        throw new AssertionError("no neighbour advertisement for " + vip.addressText() + " reached the peer within 5 s");
    }

    private void assertUnmanagedAddressesIntact() {
        assertTrue(addressLine("192.0.2.1/24").contains("inet 192.0.2.1/24"), ns("-o", "addr", "show", "dev", IF));
        assertTrue(addressLine("2001:db8::1/64").contains("inet6 2001:db8::1/64"), ns("-o", "addr", "show", "dev", IF));
    }

    /** The {@code ip -o addr} line of vip0 that holds {@code addressAndPrefix}, or "". */
    private String addressLine(String addressAndPrefix) {
        for (String line : ns("-o", "addr", "show", "dev", IF).split("\n")) {
            if (line.contains(" " + addressAndPrefix)) {
                return line;
            }
        }
        return "";
    }

    /** Waits until vip0's link-local address has finished DAD and returns it. */
    private String waitForLinkLocal() {
        try {
            return lab.linkLocal(vipHost);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String neighbour(String address) {
        return peer("neigh", "show", address, "dev", PEER_IF);
    }

    private static String macOf(String ipLinkOutput) {
        Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(ipLinkOutput);
        assertTrue(m.find(), ipLinkOutput);
        return m.group(1);
    }

    private void drainAll() {
        for (int i = 0; i < 100 && links.drain(s -> {}) > 0; i++) {
            // discard events from the lab's own setup
        }
    }

    /** Polls the monitor's fd (bounded to 5 s) until an event matches. */
    private LinkState awaitEvent(Predicate<LinkState> wanted) {
        Pointer pollfd = Native.allocate(8);
        List<LinkState> seen = new ArrayList<>();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            pollfd.putInt(0, links.fd());
            pollfd.putShort(4, Linux.POLLIN);
            pollfd.putShort(6, (short) 0);
            LIBC.poll(pollfd, 1, 100);
            List<LinkState> batch = new ArrayList<>();
            links.drain(batch::add);
            seen.addAll(batch);
            for (LinkState state : batch) {
                if (wanted.test(state)) {
                    return state;
                }
            }
        }
        fail("no matching link event within 5 s; saw " + seen);
        return null;
    }

    private static int htons(int value) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? value : Short.toUnsignedInt(Short.reverseBytes((short) value));
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
