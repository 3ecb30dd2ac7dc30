package org.omnileads.omlha.agent;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.agent.notify.Notification;
import org.omnileads.omlha.agent.notify.Notifier;
import org.omnileads.omlha.agent.policy.GroupDecision;
import org.omnileads.omlha.agent.policy.GroupRules;
import org.omnileads.omlha.agent.status.GroupStatus;
import org.omnileads.omlha.vip.AnnounceSchedule;
import org.omnileads.omlha.vip.VipAddress;
import org.omnileads.omlha.vrrp.fsm.RouterActions;
import org.omnileads.omlha.vrrp.fsm.VrrpRouter;
import org.omnileads.omlha.vrrp.fsm.VrrpState;
import org.omnileads.omlha.vrrp.packet.AdvertValidator;
import org.omnileads.omlha.vrrp.packet.VrrpCodec;
import org.omnileads.omlha.vrrp.packet.VrrpPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VRRP group at run time: the pure {@link VrrpRouter} (the one owner of the group's state, FAULT included) and
 * what its actions act on through the seams: the channel its adverts leave by, the VIP table of its interface, the
 * announcer. It decides nothing itself: the election is the router's, the effective priority and FAULT come from
 * {@code NodePolicy} through {@link #apply}. Only the VRRP loop thread touches it.
 */
final class GroupRuntime implements RouterActions {
    private static final Logger log = LoggerFactory.getLogger(GroupRuntime.class);
    private static final int TRANSITIONS_KEPT = 20;

    private final GroupConfig config;
    private final GroupRules rules;
    private final Notifier notifier;
    private final String tenant;
    private final String node;
    private final AdvertChannel channel;
    private final VipTable vipTable;
    private final VipAnnouncer announcer;
    private final AnnounceSchedule announceSchedule;
    private final List<VipAddress> vips;
    /** Which VIPs are on the NIC now: an attach that failed is retried with every advert while MASTER. */
    private final boolean[] attached;
    private final List<InetAddress> vipAddresses;
    private final InetAddress[] destinations;
    private final AdvertValidator validator;
    private final VrrpRouter router;
    /**
     * The encoded advert for each destination (the v3 checksum covers the destination), re-encoded only when the packet
     * changes: a steady master sends the same bytes every interval and allocates nothing to do so.
     */
    private final ByteBuffer[] encodedAdverts;
    private VrrpPacket encodedPacket;
    private final RateLimitedLog mismatchLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(30));
    private final RateLimitedLog dropLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(30));
    private final RateLimitedLog attachErrorLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(10));
    private final RateLimitedLog sendErrorLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(10));
    private final Map<InetAddress, Peer> peers = new HashMap<>();
    private final ArrayDeque<GroupStatus.TransitionRecord> transitions = new ArrayDeque<>();

    /** The advert for the priority last sent; rebuilt only when the advertised priority or interval changes. */
    private VrrpPacket advert;
    private boolean vipsAttached;
    /** What the follow policy last saw, for status and metrics. */
    private GroupStatus.DatabaseStatus database;
    private long advertsSent;
    private long advertsReceived;
    private long configMismatches;
    /** Transitions since start, by the state entered (VrrpState ordinal). */
    private final long[] transitionsInto = new long[VrrpState.values().length];

    private static final class Peer {
        int priority;
        long lastAdvertNanos;
    }

    GroupRuntime(GroupConfig config, AdvertChannel channel, VipTable vipTable, VipAnnouncer announcer, Notifier notifier,
                 String tenant, String node) {
        this.config = config;
        this.rules = GroupRules.of(config, channel.ifIndex());
        this.notifier = notifier;
        this.tenant = tenant;
        this.node = node;
        this.channel = channel;
        this.vipTable = vipTable;
        this.announcer = announcer;
        this.vips = config.vips();
        this.attached = new boolean[vips.size()];
        this.vipAddresses = vips.stream().map(VipAddress::address).toList();
        this.announceSchedule = new AnnounceSchedule(Settings.announce(config.announce()));
        this.destinations = config.unicastPeers().isEmpty()
                ? new InetAddress[] {channel.multicastGroup()}
                : config.unicastPeers().toArray(InetAddress[]::new);
        this.encodedAdverts = new ByteBuffer[destinations.length];
        for (int i = 0; i < destinations.length; i++) {
            encodedAdverts[i] = ByteBuffer.allocateDirect(VrrpCodec.MAX_LENGTH);
        }
        this.validator = new AdvertValidator(Settings.expectations(config, channel.primaryAddress(), vipAddresses));
        this.router = new VrrpRouter(Settings.router(config, channel.primaryAddress()), this);
    }

    String name() {
        return config.name();
    }

    int vrid() {
        return config.vrid();
    }

    GroupConfig config() {
        return config;
    }

    GroupRules rules() {
        return rules;
    }

    AdvertChannel channel() {
        return channel;
    }

    VrrpState state() {
        return router.state();
    }

    /** Whether every VIP of the group is on the NIC (what status calls {@code vips_attached}). */
    boolean vipsAttached() {
        return vipsAttached;
    }

    /** Whether any VIP of the group is on the NIC, as far as this group knows. */
    boolean holdsAnyVip() {
        for (boolean held : attached) {
            if (held) {
                return true;
            }
        }
        return false;
    }

    /** Removes the group's VIPs that an earlier run (killed before it could release them) left on the NIC. */
    void removeStaleVips() {
        for (VipAddress vip : vips) {
            try {
                if (vipTable.remove(vip)) {
                    log.warn("group {}: removed stale VIP {} from {} (left by an earlier run)", name(), vip, channel.interfaceName());
                }
            } catch (RuntimeException e) {
                log.error("group {}: could not remove stale VIP {} from {}: {}", name(), vip, channel.interfaceName(), e.getMessage());
            }
        }
    }

    /** Leaves INIT with the policy's first decision: FAULT at once when the link or a probe already says so. */
    void start(long now, GroupDecision decision) {
        apply(now, decision);
        router.start(now);
    }

    /**
     * The policy's decision: a new effective priority (a master advertises it at once) and FAULT or not. FAULT is the
     * router's to hold; a new reason while in FAULT only replaces the one it will be reported with.
     */
    void apply(long now, GroupDecision decision) {
        setDatabase(decision.database());
        if (decision.priority() != router.effectivePriority() && decision.priority() < 255) {
            log.info("group {}: effective priority {} -> {} (tracked probes)", name(), router.effectivePriority(), decision.priority());
            router.setEffectivePriority(now, decision.priority());
        }
        String before = router.faultReason();
        if (decision.fault() && !decision.faultReason().equals(before)) {
            router.setFault(now, true, decision.faultReason());
        } else if (!decision.fault() && before != null) {
            router.setFault(now, false, GroupDecision.recoveredFrom(before));
        }
    }

    /** Fires the router's and the announcements' timers that are due at {@code now}. */
    void fireTimers(long now) {
        // A timer may re-arm itself at a time already past (a long stall): bounded, never a busy loop.
        for (int i = 0; i < 4 && router.hasDeadline() && now - router.nextDeadline() >= 0; i++) {
            router.onTimer(now);
        }
        sendDueAnnouncements(now);
    }

    /**
     * An address left this group's interface (a netlink event). If it is one of our attached VIPs, something else removed
     * it while we are MASTER (networkd, NetworkManager, {@code ip addr del}): it is put back and announced again. The
     * kernel is asked first: the event may be our own release, read after the VIP was attached again.
     */
    void onAddressRemoved(long now, VipAddress address) {
        for (int i = 0; i < attached.length; i++) {
            if (attached[i] && vips.get(i).equals(address)) {
                restoreRemovedVips(now);
                return;
            }
        }
    }

    /** Asks the VIP table for every attached VIP; one that is gone is put back and announced again. */
    void restoreRemovedVips(long now) {
        boolean removed = false;
        for (int i = 0; i < attached.length; i++) {
            if (attached[i] && !vipTable.isPresent(vips.get(i))) {
                log.warn("group {}: VIP {} was removed from {} by something else while MASTER; adding it back",
                        name(), vips.get(i), channel.interfaceName());
                attached[i] = false;
                removed = true;
            }
        }
        if (removed) {
            attachVips(now);
            announceVips(now);
        }
    }

    private void sendDueAnnouncements(long now) {
        if (announceSchedule.hasDeadline() && now - announceSchedule.nextDeadline() >= 0) {
            int frames = announceSchedule.due(now);
            for (int i = 0; i < frames; i++) {
                announceOnce(now);
            }
        }
    }

    /** The earliest deadline of this group, or {@code fallback} when it has none before it. */
    long nextDeadline(long fallback) {
        long next = fallback;
        if (router.hasDeadline() && router.nextDeadline() - next < 0) {
            next = router.nextDeadline();
        }
        if (announceSchedule.hasDeadline() && announceSchedule.nextDeadline() - next < 0) {
            next = announceSchedule.nextDeadline();
        }
        return next;
    }

    /** A decoded advert for this group's VRID arrived. */
    void onAdvert(long now, VrrpPacket packet, InetAddress source, int ttl, DropCounters drops) {
        AdvertValidator.Verdict verdict = validator.check(packet, source, ttl);
        if (!verdict.accepted()) {
            drops.count(verdict.dropReason());
            dropLog.warn(now, "group {} (vrid {}): dropped advert from {}: {}", name(), vrid(), source.getHostAddress(),
                    validator.explain(verdict, packet, source, ttl));
            return;
        }
        if (verdict.addressMismatch() || verdict.intervalMismatch()) {
            configMismatches++;
            mismatchLog.warn(now, "group {} (vrid {}): {} - another cluster on this VRID, or a config mismatch",
                    name(), vrid(), validator.explain(verdict, packet, source, ttl));
        }
        advertsReceived++;
        Peer peer = peers.computeIfAbsent(source, a -> new Peer());
        peer.priority = packet.priority();
        peer.lastAdvertNanos = now;
        int intervalCentis = packet.version() == 2 ? packet.advertInterval() * 100 : packet.advertInterval();
        router.onAdvert(now, source, packet.priority(), intervalCentis);
    }

    /** A newly stale primary is logged and notified once. */
    private void setDatabase(GroupStatus.DatabaseStatus seen) {
        boolean wasStale = database != null && database.stalePrimary();
        database = seen;
        if (seen != null && seen.stalePrimary() && !wasStale) {
            log.error("group {}: this node's database is a STALE PRIMARY: {}", name(), seen.detail());
            notifier.notify(new Notification(tenant, node, name(), "STALE_PRIMARY", router.effectivePriority(), seen.detail(),
                    Instant.now()));
        }
    }

    /** Graceful stop: a MASTER sends priority 0 and releases its VIPs. */
    void shutdown(long now) {
        router.shutdown(now);
        if (holdsAnyVip()) {
            releaseVips(now);
        }
    }

    // ---- RouterActions: called synchronously by the router, in the order the RFC wants; none of them throws ----

    @Override
    public void sendAdvert(long now, int priority, int advertIntervalCentis) {
        VrrpPacket packet = advertFor(priority, advertIntervalCentis);
        if (packet != encodedPacket) {
            for (int i = 0; i < destinations.length; i++) {
                encodedAdverts[i].clear();
                VrrpCodec.encode(packet, channel.checksumSource(), channel.checksumDestination(destinations[i]), encodedAdverts[i]);
                encodedAdverts[i].flip();
            }
            encodedPacket = packet;
        }
        for (int i = 0; i < destinations.length; i++) {
            try {
                encodedAdverts[i].rewind();
                channel.send(encodedAdverts[i], destinations[i]);
                advertsSent++;
            } catch (RuntimeException e) {
                sendErrorLog.warn(now, "group {}: advert not sent: {}", name(), e.getMessage());
            }
        }
        if (priority != 0 && router.state() == VrrpState.MASTER && !vipsAttached) {
            attachVips(now); // an earlier attach failed: retry at the advert's pace
        }
    }

    @Override
    public void attachVips(long now) {
        boolean all = true;
        for (int i = 0; i < attached.length; i++) {
            if (attached[i]) {
                continue;
            }
            try {
                vipTable.add(vips.get(i));
                attached[i] = true;
            } catch (RuntimeException e) {
                all = false;
                attachErrorLog.warn(now, "group {}: could not attach VIP {} to {} (retrying with every advert): {}",
                        name(), vips.get(i), channel.interfaceName(), e.getMessage());
            }
        }
        vipsAttached = all;
    }

    @Override
    public void announceVips(long now) {
        announceSchedule.start(now);
        sendDueAnnouncements(now);
    }

    @Override
    public void releaseVips(long now) {
        announceSchedule.stop();
        for (int i = 0; i < attached.length; i++) {
            try {
                vipTable.remove(vips.get(i));
                attached[i] = false;
            } catch (RuntimeException e) {
                log.error("group {}: could not release VIP {} from {}: {}", name(), vips.get(i), channel.interfaceName(), e.getMessage());
            }
        }
        vipsAttached = false;
    }

    @Override
    public void transition(long now, VrrpState from, VrrpState to, String reason) {
        log.info("group {} (vrid {}): {} -> {}: {}", name(), vrid(), from, to, reason);
        transitionsInto[to.ordinal()]++;
        if (transitions.size() == TRANSITIONS_KEPT) {
            transitions.removeFirst();
        }
        Instant at = Instant.now();
        transitions.addLast(new GroupStatus.TransitionRecord(at.toString(), from.name(), to.name(), reason));
        // keepalived's scripts know STOP for a shutdown; the others keep their names.
        String state = to == VrrpState.INIT ? "STOP" : to.name();
        notifier.notify(new Notification(tenant, node, name(), state, router.effectivePriority(), reason, at));
    }

    /** One frame for each VIP that is on the NIC: never draw traffic to an address we do not hold. */
    private void announceOnce(long now) {
        for (int i = 0; i < attached.length; i++) {
            if (!attached[i]) {
                continue;
            }
            try {
                announcer.announce(vips.get(i));
            } catch (RuntimeException e) {
                sendErrorLog.warn(now, "group {}: announcement of {} not sent: {}", name(), vips.get(i), e.getMessage());
            }
        }
    }

    private VrrpPacket advertFor(int priority, int intervalCentis) {
        VrrpPacket current = advert;
        int wireInterval = config.version() == 2 ? intervalCentis / 100 : intervalCentis;
        if (current == null || current.priority() != priority || current.advertInterval() != wireInterval) {
            current = config.version() == 2
                    ? VrrpPacket.v2(vrid(), priority, wireInterval, vipAddresses, config.authPass().orElse(null))
                    : VrrpPacket.v3(vrid(), priority, wireInterval, vipAddresses);
            advert = current;
        }
        return current;
    }

    GroupStatus status(long now) {
        List<GroupStatus.PeerStatus> peerList = new ArrayList<>();
        peers.forEach((address, peer) -> peerList.add(new GroupStatus.PeerStatus(
                VipAddress.format(address), peer.priority, TimeUnit.NANOSECONDS.toMillis(now - peer.lastAdvertNanos))));
        peerList.sort((a, b) -> a.address().compareTo(b.address()));
        List<String> onNic = new ArrayList<>();
        for (int i = 0; i < attached.length; i++) {
            if (attached[i]) {
                onNic.add(vips.get(i).toString());
            }
        }
        InetAddress master = router.masterAddress();
        return new GroupStatus(name(), vrid(), channel.interfaceName(), config.version(), router.state().name(),
                config.priority(), router.effectivePriority(), config.advertInterval().toMillis(),
                vips.stream().map(VipAddress::toString).toList(), vipsAttached, onNic, router.faultReason(),
                master == null ? null : VipAddress.format(master), router.masterPriority(),
                peerList, advertsSent, advertsReceived, configMismatches, transitionCounts(), List.copyOf(transitions), database);
    }

    private Map<String, Long> transitionCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (VrrpState state : VrrpState.values()) {
            counts.put(state.name(), transitionsInto[state.ordinal()]);
        }
        return counts;
    }

    @Override
    public String toString() {
        return "group " + name() + " " + Objects.toString(router);
    }
}
