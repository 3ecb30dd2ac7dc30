package org.omnileads.omlha.agent;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.agent.notify.Notifier;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.NativeException;
import org.omnileads.omlha.vip.AddressManager;
import org.omnileads.omlha.vip.Announcer;
import org.omnileads.omlha.vip.LinkMonitor;
import org.omnileads.omlha.vip.LinkState;
import org.omnileads.omlha.vip.VipAddress;
import org.omnileads.omlha.vrrp.net.Interfaces;
import org.omnileads.omlha.vrrp.net.VrrpSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the runtime of configured groups with their real I/O: the VRRP socket of each (interface, family), shared
 * by the groups on it, the announcer of each interface, the kernel's VIP table. Runs off the VRRP loop, at start and
 * for a reload (under the agent's reload lock): opening sockets and asking the kernel never delays an advert. It
 * touches no VIP: the loop does that when it swaps the groups in.
 */
final class GroupBuilder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupBuilder.class);

    private final AddressManager addresses;
    private final LinkMonitor links;
    private final Notifier notifier;
    private final Path configFile;
    private final Map<String, VrrpChannel> channels = new LinkedHashMap<>();
    private final Map<String, Announcer> announcers = new HashMap<>();
    private final List<VrrpChannel> opened = new ArrayList<>();

    /** {@code configFile}: where the operator fixes what a refusal names (the interface of a group). */
    GroupBuilder(AddressManager addresses, LinkMonitor links, Notifier notifier, Path configFile) {
        this.addresses = addresses;
        this.links = links;
        this.notifier = notifier;
        this.configFile = configFile;
    }

    /**
     * The runtime of one configured group; a socket it had to open is handed out once by {@link #takeOpenedChannels}.
     *
     * @throws StartRefusedException when the group's interface does not exist, or has no address of its own to send from
     */
    GroupRuntime build(AgentConfig config, GroupConfig group) throws UnknownHostException, StartRefusedException {
        String nic = group.interfaceName();
        LinkState link = existingLink(group);
        String key = nic + "/" + group.isIpv6();
        VrrpChannel channel = channels.get(key);
        if (channel == null) {
            channel = openChannel(group, link.ifIndex(), allVips(config));
            channels.put(key, channel);
            opened.add(channel);
        }
        Announcer announcer = announcers.computeIfAbsent(nic, name -> Announcer.open(name, link.ifIndex(), link.mac()));
        GroupRuntime runtime = new GroupRuntime(group, channel, new KernelVipTable(addresses, link.ifIndex()), announcer::announce,
                notifier, config.tenant(), config.node());
        log.info("group {}: vrid {} on {} (VRRPv{}, priority {}, advert every {} ms{}), VIPs {}, source {}",
                group.name(), group.vrid(), nic, group.version(), group.priority(), group.advertInterval().toMillis(),
                group.unicastPeers().isEmpty() ? "" : ", unicast to " + group.unicastPeers(), group.vips(),
                channel.primaryAddress().getHostAddress());
        return runtime;
    }

    /**
     * The group's interface as the kernel knows it. One that does not exist (a typo, a VLAN not made yet) is refused in
     * one line that lists the interfaces there are and the keys that name it.
     */
    private LinkState existingLink(GroupConfig group) throws StartRefusedException {
        try {
            return links.query(group.interfaceName());
        } catch (NativeException e) {
            if (e.errno() != Linux.ENODEV) {
                throw e;
            }
            List<String> present = links.queryAll().stream().map(LinkState::name).toList();
            throw new StartRefusedException(missingInterface(group.interfaceName(), group.name(), present, configFile),
                    StartRefusedException.EXIT_FAILED);
        }
    }

    static String missingInterface(String nic, String group, List<String> present, Path configFile) {
        return "interface " + nic + " (group " + group + ") does not exist on this node; interfaces here: "
                + (present.isEmpty() ? "none" : String.join(", ", present)) + ". Set omlha.interface or omlha.groups." + group
                + ".interface in " + configFile;
    }

    /** Whether the interface is up now, as the kernel says. */
    boolean linkUp(String nic) {
        return links.query(nic).up();
    }

    /** The sockets opened since the last call: the loop must add them to its wait. */
    List<VrrpChannel> takeOpenedChannels() {
        List<VrrpChannel> taken = List.copyOf(opened);
        opened.clear();
        return taken;
    }

    /** Forgets a socket that no group uses any more (the loop no longer waits on it) and closes it. */
    void close(VrrpChannel channel) {
        channels.values().remove(channel);
        channel.close();
    }

    List<VrrpChannel> channels() {
        return List.copyOf(channels.values());
    }

    private static VrrpChannel openChannel(GroupConfig group, int ifIndex, Set<InetAddress> vips)
            throws UnknownHostException, StartRefusedException {
        String nic = group.interfaceName();
        boolean ipv6 = group.isIpv6();
        // An interface without an address yet (DHCP, an address added later at boot) may get one: systemd may retry.
        InetAddress primary = primaryAddress(nic, ipv6, vips).orElseThrow(() -> new StartRefusedException("interface " + nic
                + " (group " + group.name() + ") has no " + (ipv6 ? "IPv6 link-local" : "IPv4")
                + " address of its own to send VRRP adverts from (VIPs do not count)", StartRefusedException.EXIT_FAILED));
        VrrpSocket socket = ipv6 ? VrrpSocket.openIpv6(nic) : VrrpSocket.openIpv4(nic, (Inet4Address) primary);
        return new VrrpChannel(nic, ifIndex, ipv6, primary, socket);
    }

    private static Set<InetAddress> allVips(AgentConfig config) {
        Set<InetAddress> all = new HashSet<>();
        for (GroupConfig group : config.groups()) {
            for (VipAddress vip : group.vips()) {
                all.add(vip.address());
            }
        }
        return all;
    }

    /**
     * The address our adverts leave from and that breaks priority ties: the NIC's first IPv4 address that is not
     * a VIP, or its IPv6 link-local address (RFC 5798 §5.1.2.1); empty when it has none.
     */
    static Optional<InetAddress> primaryAddress(String nic, boolean ipv6, Set<InetAddress> vips) throws UnknownHostException {
        for (InetAddress address : Interfaces.addresses(nic)) {
            if (vips.contains(address)) {
                continue;
            }
            if (!ipv6 && address instanceof Inet4Address) {
                return Optional.of(address);
            }
            if (ipv6 && address instanceof Inet6Address && address.isLinkLocalAddress()) {
                // Without the scope: the tie-break compares the 16 bytes only.
                return Optional.of(InetAddress.getByAddress(address.getAddress()));
            }
        }
        return Optional.empty();
    }

    /** Closes every socket and announcer; only once the loop has ended. */
    @Override
    public void close() {
        channels.values().forEach(VrrpChannel::close);
        channels.clear();
        announcers.values().forEach(Announcer::close);
        announcers.clear();
    }
}
