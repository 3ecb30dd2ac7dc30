package org.omnileads.omlha.agent;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.agent.notify.Notification;
import org.omnileads.omlha.agent.notify.Notifier;
import org.omnileads.omlha.agent.policy.GroupDecision;
import org.omnileads.omlha.agent.policy.GroupRules;
import org.omnileads.omlha.agent.policy.MaintenanceMark;
import org.omnileads.omlha.agent.status.GroupStatus;
import org.omnileads.omlha.vip.VipAddress;
import org.omnileads.omlha.vrrp.fsm.RouterActions;
import org.omnileads.omlha.vrrp.fsm.VrrpRouter;
import org.omnileads.omlha.vrrp.fsm.VrrpState;
import org.omnileads.omlha.vrrp.packet.AdvertValidator;
import org.omnileads.omlha.vrrp.packet.VrrpPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VRRP group at run time: the pure {@link VrrpRouter} (the one owner of the group's state, FAULT included) and
 * what its actions act on: its adverts ({@link AdvertSender}), its VIPs ({@link GroupVips}), its notifications and
 * its history for status. It decides nothing itself: the election is the router's, the effective priority and FAULT
 * come from {@code NodePolicy} through {@link #apply}. Only the VRRP loop thread touches it.
 */
final class GroupRuntime implements RouterActions {
    private static final Logger log = LoggerFactory.getLogger(GroupRuntime.class);

    private final GroupConfig config;
    private final GroupRules rules;
    private final AdvertChannel channel;
    private final AdvertSender adverts;
    private final GroupVips vips;
    private final GroupHistory history = new GroupHistory();
    private final AdvertValidator validator;
    private final VrrpRouter router;
    private final Notifier notifier;
    private final String tenant;
    private final String node;
    private final RateLimitedLog mismatchLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(30));
    private final RateLimitedLog dropLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(30));
    /** What the follow policy last saw, for status and metrics. */
    private GroupStatus.DatabaseStatus database;
    private GroupStatus.RedisStatus redis;
    private Resignations resignations = (group, master) -> { };

    /** Hears a priority-0 advert that reached this group (a master resigned); on the loop thread. */
    interface Resignations {
        void resigned(GroupRuntime group, InetAddress master);
    }

    GroupRuntime(GroupConfig config, AdvertChannel channel, VipTable vipTable, VipAnnouncer announcer, Notifier notifier,
                 String tenant, String node) {
        this.config = config;
        this.rules = GroupRules.of(config, channel.ifIndex());
        this.channel = channel;
        this.adverts = new AdvertSender(config, channel);
        this.vips = new GroupVips(config, channel.interfaceName(), vipTable, announcer);
        this.validator = new AdvertValidator(Settings.expectations(config, channel.primaryAddress(), adverts.vipAddresses()));
        this.router = new VrrpRouter(Settings.router(config, channel.primaryAddress()), this);
        this.notifier = notifier;
        this.tenant = tenant;
        this.node = node;
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

    /** Removes the group's VIPs that an earlier run (killed before it could release them) left on the NIC. */
    void removeStaleVips() {
        vips.removeStale();
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
        setRedis(decision.redis());
        if (decision.priority() != router.effectivePriority() && decision.priority() < 255) {
            log.info("group {}: effective priority {} -> {} (tracked probes)", name(), router.effectivePriority(), decision.priority());
            router.setEffectivePriority(now, decision.priority());
        }
        String before = router.faultReason();
        router.setRightful(now, decision.rightful() && decision.maintenance() == null);
        if (decision.fault() && (!decision.faultReason().equals(before) || decision.releaseAtOnce() && router.handingOver())) {
            router.setFault(now, true, decision.faultReason(), decision.releaseAtOnce());
        } else if (!decision.fault() && before != null) {
            router.setFault(now, false, GroupDecision.recoveredFrom(before));
        }
        applyMaintenance(now, decision.maintenance());
    }

    /**
     * The operator's mark: a MASTER resigns and hands over (the router's passive mode); {@code maintenance off} puts
     * the group back into the election. Notified either way, with the reason in {@code OMLHA_REASON}.
     */
    private void applyMaintenance(long now, MaintenanceMark mark) {
        boolean on = mark != null;
        boolean keep = on && mark.keepIfUntaken();
        if (on == router.passive()) {
            if (on && router.handingOver() && !keep) {
                router.setPassive(now, true, "maintenance on --force", false);
            }
            return;
        }
        String reason = on ? "maintenance on" + (keep || router.state() != VrrpState.MASTER ? "" : " --force") : "maintenance off";
        VrrpState stateBefore = router.state();
        log.info("group {} (vrid {}): {}", name(), vrid(), reason);
        router.setPassive(now, on, reason, keep);
        if (router.state() == stateBefore) { // a MASTER that resigned was notified of its transition already
            notifier.notify(new Notification(tenant, node, name(), stateName(router.state()), router.effectivePriority(), reason,
                    Instant.now()));
        }
    }

    boolean handingOver() {
        return router.handingOver();
    }

    boolean inMaintenance() {
        return router.passive();
    }

    VrrpRouter router() {
        return router;
    }

    /** A stop that cannot wait any longer: a handover still in progress releases now, whoever took over. */
    void releaseNow(long now) {
        router.releaseNow(now);
        if (vips.holdsAny()) {
            vips.release();
        }
    }

    /** Fires the router's and the announcements' timers that are due at {@code now}. */
    void fireTimers(long now) {
        // A timer may re-arm itself at a time already past (a long stall): bounded, never a busy loop.
        for (int i = 0; i < 4 && router.hasDeadline() && now - router.nextDeadline() >= 0; i++) {
            router.onTimer(now);
        }
        vips.sendDueAnnouncements(now);
    }

    /** The earliest deadline of this group, or {@code fallback} when it has none before it. */
    long nextDeadline(long fallback) {
        long next = vips.nextDeadline(fallback);
        return router.hasDeadline() && router.nextDeadline() - next < 0 ? router.nextDeadline() : next;
    }

    /** An address left this group's interface (a netlink event): one of our VIPs is put back while we hold it. */
    void onAddressRemoved(long now, VipAddress address) {
        vips.onAddressRemoved(now, address);
    }

    /** Address events were lost: every VIP we hold is checked by asking. */
    void restoreRemovedVips(long now) {
        vips.restoreRemoved(now);
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
            history.configMismatch();
            mismatchLog.warn(now, "group {} (vrid {}): {} - another cluster on this VRID, or a config mismatch",
                    name(), vrid(), validator.explain(verdict, packet, source, ttl));
        }
        history.advertFrom(now, source, packet.priority());
        router.onAdvert(now, source, packet.priority(), packet.advertIntervalCentis());
        if (packet.priority() == 0) {
            resignations.resigned(this, source);
        }
    }

    void onResigned(Resignations listener) {
        this.resignations = listener;
    }

    /**
     * Graceful stop: a MASTER sends priority 0 and hands its VIPs over (make-before-break): the caller keeps the loop
     * running while {@link #handingOver()}, then calls {@link #releaseNow}.
     */
    void shutdown(long now) {
        router.shutdown(now);
        if (!router.handingOver() && vips.holdsAny()) {
            vips.release();
        }
    }

    /**
     * A Redis that newly says master while the Sentinels name another node is logged once, as a warning: for a moment
     * during every failover the promoted replica looks the same (it answers master before the Sentinels announce it);
     * an old master that came back stays so until Sentinel turns it into a replica.
     */
    private void setRedis(GroupStatus.RedisStatus seen) {
        boolean wasStale = redis != null && redis.staleMaster();
        redis = seen;
        if (seen != null && seen.staleMaster() && !wasStale) {
            log.warn("group {}: this node's Redis says master but the Sentinels name another (a STALE MASTER, or a promotion "
                    + "not announced yet): {}", name(), seen.detail());
        }
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

    // ---- RouterActions: called synchronously by the router, in the order the RFC wants; none of them throws ----

    @Override
    public void sendAdvert(long now, int priority, int advertIntervalCentis) {
        adverts.send(now, priority, advertIntervalCentis);
        if (priority != 0 && router.state() == VrrpState.MASTER && !vips.allAttached()) {
            vips.attach(now); // an earlier attach failed: retry at the advert's pace
        }
    }

    @Override
    public void attachVips(long now) {
        vips.attach(now);
    }

    @Override
    public void announceVips(long now) {
        vips.announce(now);
    }

    @Override
    public void releaseVips(long now) {
        vips.release();
    }

    @Override
    public void transition(long now, VrrpState from, VrrpState to, String reason) {
        log.info("group {} (vrid {}): {} -> {}: {}", name(), vrid(), from, to, reason);
        Instant at = Instant.now();
        history.transition(to, new GroupStatus.TransitionRecord(at.toString(), from.name(), to.name(), reason));
        notifier.notify(new Notification(tenant, node, name(), stateName(to), router.effectivePriority(), reason, at));
    }

    /** keepalived's scripts know STOP for a shutdown; the others keep their names. */
    private static String stateName(VrrpState state) {
        return state == VrrpState.INIT ? "STOP" : state.name();
    }

    GroupStatus status(long now) {
        InetAddress master = router.masterAddress();
        return new GroupStatus(name(), vrid(), channel.interfaceName(), config.version(), router.state().name(),
                config.priority(), router.effectivePriority(), config.advertInterval().toMillis(),
                config.vips().stream().map(VipAddress::toString).toList(), vips.allAttached(), vips.onNic(), router.faultReason(),
                router.passive(), router.handingOver(),
                master == null ? null : VipAddress.format(master), router.masterPriority(), history.peers(now), adverts.sent(),
                history.advertsReceived(), history.configMismatches(), history.transitionCounts(), history.transitions(), database, redis);
    }

    @Override
    public String toString() {
        return "group " + name() + " " + Objects.toString(router);
    }
}
