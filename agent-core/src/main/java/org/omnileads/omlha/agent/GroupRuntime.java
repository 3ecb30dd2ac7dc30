package org.omnileads.omlha.agent;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.agent.config.Follow;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.agent.config.Track;
import org.omnileads.omlha.agent.notify.Notification;
import org.omnileads.omlha.agent.notify.Notifier;
import org.omnileads.omlha.agent.status.GroupStatus;
import org.omnileads.omlha.vip.AddressManager;
import org.omnileads.omlha.vip.AnnounceSchedule;
import org.omnileads.omlha.vip.Announcer;
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
 * One VRRP group at run time: the pure {@link VrrpRouter} plus what its decisions act on (the group's socket,
 * its VIPs, its announcements) and what status reports about it. Only the VRRP loop thread touches it.
 */
final class GroupRuntime implements RouterActions {
    private static final Logger log = LoggerFactory.getLogger(GroupRuntime.class);
    private static final int TRANSITIONS_KEPT = 20;
    /** While MASTER, how often the VIPs are checked to still be on the NIC (networkd or an operator may remove them). */

    private final GroupConfig config;
    private final Notifier notifier;
    private final String tenant;
    private final String node;
    private final VrrpChannel channel;
    private final AddressManager addresses;
    private final Announcer announcer;
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
    /** "Now" of the event being handled, for the actions the router calls back synchronously. */
    private long now;
    private boolean vipsAttached;
    private GroupStatus.DatabaseStatus database;
    private boolean linkUp = true;
    /** Why a tracked weight-0 probe holds the group in FAULT; null when none does. */
    private String trackFault;
    /** Why a member of the group's sync group holds this one in FAULT; null when none does. */
    private String syncFault;
    private boolean faulted;
    private long advertsSent;
    private long advertsReceived;
    private long configMismatches;
    /** Transitions since start, by the state entered (VrrpState ordinal). */
    private final long[] transitionsInto = new long[VrrpState.values().length];

    private static final class Peer {
        int priority;
        long lastAdvertNanos;
    }

    GroupRuntime(GroupConfig config, VrrpChannel channel, AddressManager addresses, Announcer announcer, List<VipAddress> vips,
                 Notifier notifier, String tenant, String node) {
        this.config = config;
        this.notifier = notifier;
        this.tenant = tenant;
        this.node = node;
        this.channel = channel;
        this.addresses = addresses;
        this.announcer = announcer;
        this.vips = List.copyOf(vips);
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

    VrrpChannel channel() {
        return channel;
    }

    VrrpState state() {
        return router.state();
    }

    /** Removes the group's VIPs that an earlier run (killed before it could release them) left on the NIC. */
    void removeStaleVips() {
        for (VipAddress vip : vips) {
            if (addresses.remove(channel.ifIndex(), vip)) {
                log.warn("group {}: removed stale VIP {} from {} (left by an earlier run)", name(), vip, channel.interfaceName());
            }
        }
    }

    /** Leaves INIT; a link already down or a tracked fault known before start puts the group in FAULT at once. */
    void start(long now, boolean linkUp, TrackPolicy.Outcome tracking) {
        this.now = now;
        setLinkUp(now, linkUp);
        applyTracking(now, tracking);
        router.start(now);
    }

    /** Fires the router's and the announcements' timers that are due at {@code now}. */
    void fireTimers(long now) {
        this.now = now;
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
    void onAddressRemoved(VipAddress address) {
        for (int i = 0; i < attached.length; i++) {
            if (attached[i] && vips.get(i).equals(address)) {
                restoreRemovedVips();
                return;
            }
        }
    }

    /** Asks the kernel for every attached VIP; one that is gone is put back and announced again. */
    void restoreRemovedVips() {
        boolean removed = false;
        for (int i = 0; i < attached.length; i++) {
            if (attached[i] && !addresses.isPresent(channel.ifIndex(), vips.get(i))) {
                log.warn("group {}: VIP {} was removed from {} by something else while MASTER; adding it back",
                        name(), vips.get(i), channel.interfaceName());
                attached[i] = false;
                removed = true;
            }
        }
        if (removed) {
            attachVips();
            announceSchedule.start(now);
            sendDueAnnouncements(now);
        }
    }

    private void sendDueAnnouncements(long now) {
        if (announceSchedule.hasDeadline() && now - announceSchedule.nextDeadline() >= 0) {
            int frames = announceSchedule.due(now);
            for (int i = 0; i < frames; i++) {
                announceOnce();
            }
        }
    }

    /** The earliest deadline of this group, or {@code fallback} when it has none before it. */
    long nextDeadline(long now, long fallback) {
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
        this.now = now;
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

    /** The NIC went down (FAULT, VIPs released) or came back (BACKUP, election resumes). */
    void setLinkUp(long now, boolean up) {
        this.now = now;
        if (up == linkUp) {
            return;
        }
        linkUp = up;
        updateFault(now, "interface " + channel.interfaceName() + (up ? " up" : " down"));
    }

    /**
     * The tracked probes changed: a new effective priority (a master advertises it at once) and FAULT while a
     * weight-0 probe is down.
     */
    void applyTracking(long now, TrackPolicy.Outcome outcome) {
        this.now = now;
        if (outcome.priority() != router.effectivePriority() && outcome.priority() < 255) {
            log.info("group {}: effective priority {} -> {} (tracked probes)", name(), router.effectivePriority(), outcome.priority());
            router.setEffectivePriority(now, outcome.priority());
        }
        String before = trackFault;
        trackFault = outcome.faultReason();
        if (!Objects.equals(before, trackFault)) {
            updateFault(now, trackFault != null ? trackFault : "tracked probes up again (" + before + " before)");
        }
    }

    /** Why this group itself is in FAULT (its link, its probes, its database), or null: what a sync group passes on. */
    String ownFaultReason() {
        if (!linkUp) {
            return "interface " + channel.interfaceName() + " down";
        }
        return trackFault;
    }

    /** A member of this group's sync group is in FAULT ({@code reason}), or none is any more (null). */
    void setSyncFault(long now, String reason) {
        this.now = now;
        if (Objects.equals(syncFault, reason)) {
            return;
        }
        String before = syncFault;
        syncFault = reason;
        updateFault(now, reason != null ? reason : "sync group recovered (" + before + " before)");
    }

    /** FAULT while the link is down, a weight-0 probe or the database says so, or a sync-group member is in FAULT. */
    private void updateFault(long now, String reason) {
        boolean fault = !linkUp || trackFault != null || syncFault != null;
        if (fault != faulted) {
            faulted = fault;
            router.setFault(now, fault, reason);
        }
    }

    List<Track> tracks() {
        return config.track();
    }

    int basePriority() {
        return config.priority();
    }

    Optional<Follow> follow() {
        return config.follow();
    }

    /** What the follow policy last saw, for status and metrics; a newly stale primary is also notified. */
    void setDatabase(GroupStatus.DatabaseStatus database) {
        boolean wasStale = this.database != null && this.database.stalePrimary();
        this.database = database;
        if (database.stalePrimary() && !wasStale) {
            log.error("group {}: this node's database is a STALE PRIMARY: {}", name(), database.detail());
            notifier.notify(new Notification(tenant, node, name(), "STALE_PRIMARY", router.effectivePriority(), database.detail(),
                    Instant.now()));
        }
    }

    /** Graceful stop: a MASTER sends priority 0 and releases its VIPs. */
    void shutdown(long now) {
        this.now = now;
        router.shutdown(now);
        if (vipsAttached) {
            releaseVips();
        }
    }

    // ---- RouterActions: called synchronously by the router, in the order the RFC wants ----

    @Override
    public void sendAdvert(int priority, int advertIntervalCentis) {
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
            InetAddress destination = destinations[i];
            try {
                channel.socket().send(encodedAdverts[i], destination);
                advertsSent++;
            } catch (RuntimeException e) {
                sendErrorLog.warn(now, "group {}: advert not sent: {}", name(), e.getMessage());
            }
        }
        if (priority != 0 && router.state() == VrrpState.MASTER && !vipsAttached) {
            attachVips(); // an earlier attach failed: retry at the advert's pace
        }
    }

    @Override
    public void attachVips() {
        boolean all = true;
        for (int i = 0; i < attached.length; i++) {
            if (attached[i]) {
                continue;
            }
            try {
                addresses.add(channel.ifIndex(), vips.get(i));
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
    public void announceVips() {
        announceSchedule.start(now);
        sendDueAnnouncements(now);
    }

    @Override
    public void releaseVips() {
        announceSchedule.stop();
        for (int i = 0; i < attached.length; i++) {
            try {
                addresses.remove(channel.ifIndex(), vips.get(i));
                attached[i] = false;
            } catch (RuntimeException e) {
                log.error("group {}: could not release VIP {} from {}: {}", name(), vips.get(i), channel.interfaceName(), e.getMessage());
            }
        }
        vipsAttached = false;
    }

    @Override
    public void transition(VrrpState from, VrrpState to, String reason) {
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
    private void announceOnce() {
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
        InetAddress master = router.masterAddress();
        return new GroupStatus(name(), vrid(), channel.interfaceName(), config.version(), router.state().name(),
                config.priority(), router.effectivePriority(), config.advertInterval().toMillis(),
                vips.stream().map(VipAddress::toString).toList(), vipsAttached,
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
}
