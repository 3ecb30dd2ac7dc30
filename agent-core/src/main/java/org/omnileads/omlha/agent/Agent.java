package org.omnileads.omlha.agent;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.agent.config.ProbeConfig;
import org.omnileads.omlha.agent.config.ProbeSpec;
import org.omnileads.omlha.vip.VipAddress;
import org.omnileads.omlha.agent.metrics.MetricsServer;
import org.omnileads.omlha.agent.notify.Notifications;
import org.omnileads.omlha.agent.notify.Notifier;
import org.omnileads.omlha.agent.metrics.PrometheusMetrics;
import org.omnileads.omlha.agent.status.AgentStatus;
import org.omnileads.omlha.agent.status.GroupStatus;
import org.omnileads.omlha.probes.Probe;
import org.omnileads.omlha.probes.ProbeResult;
import org.omnileads.omlha.probes.ProbeScheduler;
import org.omnileads.omlha.probes.ProbeSnapshot;
import org.omnileads.omlha.vip.AddressManager;
import org.omnileads.omlha.vip.Announcer;
import org.omnileads.omlha.vip.LinkMonitor;
import org.omnileads.omlha.vip.LinkState;
import org.omnileads.omlha.vip.VipAddress;
import org.omnileads.omlha.vrrp.net.Interfaces;
import org.omnileads.omlha.vrrp.net.Poller;
import org.omnileads.omlha.vrrp.net.VrrpSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: opens the sockets of every configured group, removes VIPs a crashed run left, starts the
 * VRRP loop and the control socket, and on {@link #stop()} lets every MASTER send priority 0 and release its VIPs.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);

    private volatile AgentConfig config;
    private Notifier notifier;
    private AddressManager addresses;
    private LinkMonitor links;
    private final Map<String, VrrpChannel> channels = new LinkedHashMap<>();
    private final Map<String, Announcer> announcers = new HashMap<>();
    private final long startedAtMillis = System.currentTimeMillis();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private VrrpLoop loop;
    private Thread loopThread;
    private ControlServer control;
    private volatile ProbeScheduler probes;
    private SystemdNotify systemd;
    private volatile boolean stopTimedOut;

    public Agent(AgentConfig config) {
        this.config = config;
    }

    /** Opens everything and starts the loop; returns once every group has started. */
    public void start() throws Exception {
        keep(InstanceLock.acquire(config.controlSocket()));
        // Closed last of all (resources close in reverse): the shutdown's STOP notifications still go out.
        notifier = keep(Notifications.from(config.notifications()));
        addresses = keep(AddressManager.open());
        links = keep(LinkMonitor.open());
        Poller poller = keep(new Poller());

        Map<Integer, Boolean> linkUp = new HashMap<>();
        List<GroupRuntime> groups = new ArrayList<>();
        List<VrrpChannel> newChannels = new ArrayList<>();
        for (GroupConfig group : config.groups()) {
            GroupRuntime runtime = buildGroup(config, group, newChannels);
            linkUp.put(runtime.channel().ifIndex(), links.query(group.interfaceName()).up());
            runtime.channel().register(runtime);
            groups.add(runtime);
        }
        loop = new VrrpLoop(Ticker.SYSTEM, poller, newChannels, groups, links, linkUp, probeNames(config), peerProbes(config));
        loop.setSyncGroups(config.syncGroups());
        loop.setRealtimePriority(config.realtimePriority());
        probes = startProbes(config);
        systemd = keep(SystemdNotify.fromEnvironment(System.getenv()));
        if (systemd.watchdogIntervalNanos() > 0) {
            loop.setHeartbeat(systemd::watchdog, systemd.watchdogIntervalNanos());
        }
        loopThread = new Thread(loop, "vrrp-loop");
        loopThread.setPriority(Thread.MAX_PRIORITY);
        loopThread.start();
        loop.started().get(10, TimeUnit.SECONDS);
        control = new ControlServer(config.controlSocket(), this::status);
        control.start();
        if (!config.metricsListen().isEmpty()) {
            keep(MetricsServer.start(config.metricsListen(), new PrometheusMetrics(config, this::status)));
        }
        log.info("omlha-agent started on node {} with {} group(s); control socket {}", config.node(), groups.size(),
                config.controlSocket());
        systemd.ready();
    }

    private VrrpChannel openChannel(String nic, int ifIndex, boolean ipv6, Set<InetAddress> vips) throws UnknownHostException {
        InetAddress primary = primaryAddress(nic, ipv6, vips);
        VrrpSocket socket = ipv6 ? VrrpSocket.openIpv6(nic) : VrrpSocket.openIpv4(nic, (Inet4Address) primary);
        VrrpChannel channel = new VrrpChannel(nic, ifIndex, ipv6, primary, socket);
        keep(channel);
        return channel;
    }

    /**
     * The runtime of one configured group: its (possibly new) socket and announcer, its stale VIPs removed. A socket
     * opened here is added to {@code newChannels}.
     */
    private GroupRuntime buildGroup(AgentConfig config, GroupConfig group, List<VrrpChannel> newChannels) throws UnknownHostException {
        String nic = group.interfaceName();
        LinkState link = links.query(nic);
        String key = nic + "/" + group.isIpv6();
        VrrpChannel channel = channels.get(key);
        if (channel == null) {
            channel = openChannel(nic, link.ifIndex(), group.isIpv6(), allVips(config));
            channels.put(key, channel);
            newChannels.add(channel);
        }
        Announcer announcer = announcers.get(nic);
        if (announcer == null) {
            announcer = keep(Announcer.open(nic, link.ifIndex(), link.mac()));
            announcers.put(nic, announcer);
        }
        GroupRuntime runtime = new GroupRuntime(group, channel, addresses, announcer, group.vips(), notifier, config.tenant(), config.node());
        runtime.removeStaleVips();
        log.info("group {}: vrid {} on {} (VRRPv{}, priority {}, advert every {} ms{}), VIPs {}, source {}",
                group.name(), group.vrid(), nic, group.version(), group.priority(), group.advertInterval().toMillis(),
                group.unicastPeers().isEmpty() ? "" : ", unicast to " + group.unicastPeers(), group.vips(),
                channel.primaryAddress().getHostAddress());
        return runtime;
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

    private static Set<String> probeNames(AgentConfig config) {
        Set<String> names = new HashSet<>();
        config.probes().forEach(p -> names.add(p.name()));
        return names;
    }

    private static Map<String, List<DatabaseId>> peerProbes(AgentConfig config) {
        Map<String, List<DatabaseId>> peerProbes = new HashMap<>();
        for (ProbeConfig probe : config.probes()) {
            List<DatabaseId> peers = ProbeFactory.peerIds(probe);
            if (!peers.isEmpty()) {
                peerProbes.put(probe.name(), peers);
            }
        }
        return peerProbes;
    }

    /** Every configured probe under a fresh scheduler; PostgreSQL probes (and their peers) feed every result to the loop. */
    private ProbeScheduler startProbes(AgentConfig config) {
        ProbeScheduler scheduler = new ProbeScheduler(this::onProbeChange);
        for (ProbeConfig probe : config.probes()) {
            Probe created = ProbeFactory.create(probe);
            if (probe.spec() instanceof ProbeSpec.Postgres) {
                created = new ResultTap(created, DatabaseId.local(probe.name()), loop::onProbeResult);
                // The peers' databases, asked directly: the facts that tell a stale primary from the true one.
                for (ProbeFactory.Peer peer : ProbeFactory.peers(probe)) {
                    scheduler.add(new ResultTap(peer.probe(), peer.id(), loop::onProbeResult), probe.interval(), probe.timeout(), 1, 1);
                }
            }
            scheduler.add(created, probe.interval(), probe.timeout(), probe.rise(), probe.fall());
        }
        scheduler.start();
        return scheduler;
    }

    /**
     * SIGHUP: applies {@code next} without a transition for what did not change. Unchanged groups keep their state
     * and VIPs; changed groups restart (a MASTER resigns with priority 0 first); removed groups release their VIPs;
     * new groups start. Probes are restarted only when their configuration changed. Settings that need a restart
     * (node, tenant, control socket, metrics, notifications) are reported, not applied.
     */
    public synchronized void reload(AgentConfig next) throws Exception {
        AgentConfig current = config;
        for (String restartOnly : restartOnlyChanges(current, next)) {
            log.warn("reload: {} changed; restart the agent to apply it", restartOnly);
        }
        boolean probesChanged = !current.probes().equals(next.probes());
        Set<String> forget = new HashSet<>();
        if (probesChanged) {
            for (ProbeConfig probe : current.probes()) {
                if (!next.probes().contains(probe)) {
                    forget.add(probe.name());
                }
            }
        }
        Map<String, GroupConfig> before = new LinkedHashMap<>();
        current.groups().forEach(g -> before.put(g.name(), g));
        Map<String, GroupConfig> after = new LinkedHashMap<>();
        next.groups().forEach(g -> after.put(g.name(), g));
        String summary = loop.ask(l -> {
            List<String> done = new ArrayList<>();
            try {
                if (probesChanged) {
                    l.replaceProbes(probeNames(next), peerProbes(next), forget);
                }
                l.setSyncGroups(next.syncGroups());
                for (GroupRuntime group : List.copyOf(l.groups())) {
                    GroupConfig wanted = after.get(group.name());
                    if (wanted == null || !wanted.equals(before.get(group.name()))) {
                        l.removeGroup(group);
                        done.add((wanted == null ? "removed " : "restarted ") + group.name());
                    }
                }
                for (GroupConfig group : next.groups()) {
                    if (group.equals(before.get(group.name()))) {
                        continue;
                    }
                    List<VrrpChannel> newChannels = new ArrayList<>();
                    GroupRuntime runtime = buildGroup(next, group, newChannels);
                    newChannels.forEach(l::addChannel);
                    l.addGroup(runtime, links.query(group.interfaceName()).up());
                    if (!before.containsKey(group.name())) {
                        done.add("added " + group.name());
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            return done.isEmpty() ? "no group changed" : String.join(", ", done);
        }).get(30, TimeUnit.SECONDS);
        if (probesChanged) {
            ProbeScheduler old = probes;
            probes = startProbes(next);
            old.close();
        }
        config = next;
        log.info("reload: {}{}", summary, probesChanged ? "; probes restarted" : "");
    }

    private static List<String> restartOnlyChanges(AgentConfig a, AgentConfig b) {
        List<String> changed = new ArrayList<>();
        if (!a.node().equals(b.node())) {
            changed.add("node");
        }
        if (!a.tenant().equals(b.tenant())) {
            changed.add("tenant");
        }
        if (!a.controlSocket().equals(b.controlSocket())) {
            changed.add("control.socket");
        }
        if (!a.metricsListen().equals(b.metricsListen())) {
            changed.add("metrics.listen");
        }
        if (a.realtimePriority() != b.realtimePriority()) {
            changed.add("realtime-priority");
        }
        if (!a.notifications().equals(b.notifications())) {
            changed.add("notify");
        }
        return changed;
    }

    /**
     * The address our adverts leave from and that breaks priority ties: the NIC's first IPv4 address that is not
     * a VIP, or its IPv6 link-local address (RFC 5798 §5.1.2.1).
     */
    static InetAddress primaryAddress(String nic, boolean ipv6, Set<InetAddress> vips) throws UnknownHostException {
        for (InetAddress address : Interfaces.addresses(nic)) {
            if (vips.contains(address)) {
                continue;
            }
            if (!ipv6 && address instanceof Inet4Address) {
                return address;
            }
            if (ipv6 && address instanceof Inet6Address && address.isLinkLocalAddress()) {
                // Without the scope: the tie-break compares the 16 bytes only.
                return InetAddress.getByAddress(address.getAddress());
            }
        }
        throw new IllegalStateException("interface " + nic + " has no " + (ipv6 ? "IPv6 link-local" : "IPv4")
                + " address of its own to send VRRP adverts from (VIPs do not count)");
    }

    /** From a probe's thread (the scheduler has logged the change): let the loop re-weigh the groups that track the probe. */
    private void onProbeChange(String probe, boolean up, ProbeResult result) {
        loop.onProbeChange(probe, up);
    }

    /** A consistent snapshot, taken on the loop thread. */
    public AgentStatus status() {
        try {
            return loop.ask(l -> {
                AgentStatus.LoopStatus loopStatus = l.loopStatus(); // first: what this query allocates is not the loop's
                long now = l.now();
                List<GroupStatus> groups = new ArrayList<>();
                for (GroupRuntime group : l.groups()) {
                    groups.add(group.status(now));
                }
                List<AgentStatus.ProbeStatus> probeList = new ArrayList<>();
                for (ProbeSnapshot snapshot : probes.snapshots()) {
                    probeList.add(AgentStatus.ProbeStatus.of(snapshot,
                            config.probe(snapshot.name()).map(p -> p.spec().typeName()).orElse("postgresql peer")));
                }
                return new AgentStatus(config.node(), config.tenant(), ProcessHandle.current().pid(),
                        System.currentTimeMillis() - startedAtMillis, groups, probeList, l.drops().snapshot(), l.containedErrors(),
                        loopStatus);
            }).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the VRRP loop did not answer: " + e, e);
        }
    }

    /** Blocks until the loop ends by itself (a fatal error) or after {@link #stop()}. */
    public void awaitStopped() throws Exception {
        loop.stopped().get();
    }

    /** True when the VRRP loop ended by a failure rather than by {@link #stop()}, or did not stop in time. */
    public boolean failed() {
        return stopTimedOut || (loop != null && loop.stopped().isCompletedExceptionally());
    }

    /**
     * Graceful stop: priority-0 adverts from every MASTER, VIPs released, sockets closed. Loop-owned resources are
     * closed only once the loop thread has ended; if it does not end in time, the VIPs are removed from this thread
     * with a fresh netlink socket (removal is idempotent) and {@link #failed()} turns true.
     */
    public void stop() {
        if (systemd != null) {
            systemd.stopping();
        }
        if (control != null) {
            control.close();
        }
        if (loop != null && loopThread != null && loopThread.isAlive()) {
            loop.stop();
            try {
                loopThread.join(stopBudgetMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (loopThread.isAlive()) {
                stopTimedOut = true;
                log.error("the VRRP loop did not stop in {} ms; removing the VIPs directly", stopBudgetMillis());
                removeVipsDirectly();
                return; // the loop still owns its sockets: leave them to the process exit
            }
        }
        close();
    }

    /** A netlink round trip can wait seconds on a sick kernel: allow for it per VIP. */
    private long stopBudgetMillis() {
        long vips = config.groups().stream().mapToLong(g -> g.vips().size()).sum();
        return 5_000 + 2_000 * vips;
    }

    private void removeVipsDirectly() {
        try (AddressManager addresses = AddressManager.open()) {
            for (GroupConfig group : config.groups()) {
                int ifIndex = Interfaces.ifIndex(group.interfaceName());
                for (VipAddress vip : group.vips()) {
                    try {
                        addresses.remove(ifIndex, vip);
                    } catch (RuntimeException e) {
                        log.error("group {}: VIP {} may still be on {}: {}", group.name(), vip, group.interfaceName(), e.getMessage());
                    }
                }
            }
        } catch (RuntimeException e) {
            log.error("could not remove the VIPs: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (probes != null) {
            probes.close(); // first: no probe result may reach a loop that is gone
            probes = null;
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("closing {}: {}", resources.get(i), e.toString());
            }
        }
        resources.clear();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }
}
