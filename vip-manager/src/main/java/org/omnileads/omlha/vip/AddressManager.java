package org.omnileads.omlha.vip;

import java.util.List;
import java.util.Optional;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.NativeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attaches and releases VIPs with rtnetlink (RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR; rtnetlink(7)). Every
 * request asks for an ACK and checks it; a failure becomes a {@link NativeException} naming the operation,
 * the address and the interface. Only the address asked about is ever added or removed.
 *
 * <p>Adding and removing are idempotent: an address that is already there (EEXIST) or already gone
 * (EADDRNOTAVAIL, ENOENT) is "already so" and reported by a {@code false} result. IPv6 VIPs are added with
 * IFA_F_NODAD, so a VIP moving between nodes never waits in (or fails) duplicate address detection; one
 * found in the dadfailed state is deleted and added again.
 *
 * <p>Not thread-safe: one owner (the agent's event loop) uses it. The kernel deletes an IPv4 primary
 * address's secondaries with it unless {@code net.ipv4.conf.IF.promote_secondaries} is set, so a VIP should
 * not be the first address of its subnet on the interface; {@link #remove} warns when it is.
 */
public final class AddressManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AddressManager.class);

    private final NetlinkSocket socket;

    private AddressManager(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Opens a NETLINK_ROUTE socket in the calling thread's network namespace. */
    public static AddressManager open() {
        return new AddressManager(NetlinkSocket.open(0, false));
    }

    /**
     * Adds {@code vip} to the interface; true when it was added, false when it was already there.
     *
     * @throws NativeException when the kernel refuses (no such interface, no permission, ...)
     */
    public boolean add(int ifIndex, VipAddress vip) {
        String operation = "add " + vip + " to ifindex " + ifIndex + " (RTM_NEWADDR)";
        Netlink.Ack ack = socket.request((out, seq) -> Netlink.newAddress(out, seq, ifIndex, vip), operation);
        if (ack.errno() == 0) {
            return true;
        }
        if (ack.errno() != Linux.EEXIST) {
            throw NetlinkSocket.failure(operation, ack);
        }
        if (!vip.isIpv4()) {
            Optional<Netlink.AddressEntry> existing = find(ifIndex, vip.family(), vip);
            if (existing.isPresent() && existing.get().dadFailed()) {
                log.warn("{} on ifindex {} is in the dadfailed state: deleting and adding it again without DAD", vip, ifIndex);
                remove(ifIndex, vip);
                Netlink.Ack again = socket.request((out, seq) -> Netlink.newAddress(out, seq, ifIndex, vip), operation);
                if (again.errno() != 0) {
                    throw NetlinkSocket.failure(operation, again);
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Removes {@code vip} (this address with this prefix length) from the interface; true when it was removed,
     * false when it was not there.
     */
    public boolean remove(int ifIndex, VipAddress vip) {
        if (vip.isIpv4()) {
            warnIfSecondariesGoWith(ifIndex, vip);
        }
        String operation = "remove " + vip + " from ifindex " + ifIndex + " (RTM_DELADDR)";
        Netlink.Ack ack = socket.request((out, seq) -> Netlink.deleteAddress(out, seq, ifIndex, vip), operation);
        return switch (ack.errno()) {
            case 0 -> true;
            case Linux.EADDRNOTAVAIL, Linux.ENOENT -> false;
            default -> throw NetlinkSocket.failure(operation, ack);
        };
    }

    /**
     * True when the interface has this address with this prefix length in a usable state: an IPv6 address
     * that failed duplicate address detection does not count (adding it again repairs it).
     */
    public boolean isPresent(int ifIndex, VipAddress vip) {
        return find(ifIndex, vip.family(), vip).filter(entry -> !entry.dadFailed()).isPresent();
    }

    /** Every IPv4 and IPv6 address of the interface, the VIPs and all others, in the kernel's order. */
    public List<VipAddress> list(int ifIndex) {
        return entries(ifIndex, Linux.AF_UNSPEC).stream().map(Netlink.AddressEntry::vip).toList();
    }

    /** The kernel's view of one address, with its IFA_F_* flags (tentative, dadfailed, secondary, ...). */
    Optional<Netlink.AddressEntry> find(int ifIndex, int family, VipAddress vip) {
        return entries(ifIndex, family).stream()
                .filter(entry -> entry.address().equals(vip.address()) && entry.prefixLength() == vip.prefixLength())
                .findFirst();
    }

    List<Netlink.AddressEntry> entries(int ifIndex, int family) {
        String operation = "list addresses of ifindex " + ifIndex + " (RTM_GETADDR)";
        return socket.dump((out, seq) -> Netlink.dumpAddresses(out, seq, family), operation, message -> {
            if (message.type() != Netlink.RTM_NEWADDR) {
                return null;
            }
            int messageFamily = Netlink.addressFamily(message);
            if (messageFamily != Linux.AF_INET && messageFamily != Linux.AF_INET6) {
                return null;
            }
            Netlink.AddressEntry entry = Netlink.address(message);
            return entry.ifIndex() == ifIndex ? entry : null;
        });
    }

    private void warnIfSecondariesGoWith(int ifIndex, VipAddress vip) {
        List<Netlink.AddressEntry> v4 = entries(ifIndex, Linux.AF_INET);
        boolean primary = v4.stream().anyMatch(e -> e.vip().equals(vip) && !e.secondary());
        if (!primary) {
            return;
        }
        List<VipAddress> secondaries = v4.stream().filter(Netlink.AddressEntry::secondary)
                .filter(e -> e.prefixLength() == vip.prefixLength() && sameSubnet(e, vip))
                .map(Netlink.AddressEntry::vip).toList();
        if (!secondaries.isEmpty()) {
            log.warn("{} is the primary address of its subnet on ifindex {}: removing it also removes {} unless "
                    + "net.ipv4.conf.<interface>.promote_secondaries=1", vip, ifIndex, secondaries);
        }
    }

    private static boolean sameSubnet(Netlink.AddressEntry entry, VipAddress vip) {
        byte[] a = entry.address().getAddress();
        byte[] b = vip.address().getAddress();
        int prefix = vip.prefixLength();
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        socket.close();
    }
}
