package org.omnileads.omlha.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.vip.AnnounceSchedule;
import org.omnileads.omlha.vip.VipAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VIPs of one group on its interface: which are attached, their announcements (keepalived's garp_master_*
 * schedule), and putting back one that something else removed. Only the VRRP loop thread touches it; failures are
 * logged (rate-limited) and retried, never thrown.
 */
final class GroupVips {
    private static final Logger log = LoggerFactory.getLogger(GroupVips.class);

    private final String group;
    private final String interfaceName;
    private final List<VipAddress> vips;
    private final VipTable table;
    private final VipAnnouncer announcer;
    private final AnnounceSchedule announceSchedule;
    /** Which VIPs are on the NIC now: an attach that failed is retried with every advert while MASTER. */
    private final boolean[] attached;
    private final RateLimitedLog attachErrorLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(10));
    private final RateLimitedLog announceErrorLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(10));

    GroupVips(GroupConfig config, String interfaceName, VipTable table, VipAnnouncer announcer) {
        this.group = config.name();
        this.interfaceName = interfaceName;
        this.vips = config.vips();
        this.table = table;
        this.announcer = announcer;
        this.announceSchedule = new AnnounceSchedule(Settings.announce(config.announce()));
        this.attached = new boolean[vips.size()];
    }

    /** Whether every VIP is on the NIC. */
    boolean allAttached() {
        for (boolean held : attached) {
            if (!held) {
                return false;
            }
        }
        return attached.length > 0;
    }

    boolean holdsAny() {
        for (boolean held : attached) {
            if (held) {
                return true;
            }
        }
        return false;
    }

    /** The VIPs on the NIC now, as text. */
    List<String> onNic() {
        List<String> on = new ArrayList<>();
        for (int i = 0; i < attached.length; i++) {
            if (attached[i]) {
                on.add(vips.get(i).toString());
            }
        }
        return on;
    }

    /** Removes what an earlier run (killed before it could release them) left on the NIC. */
    void removeStale() {
        for (VipAddress vip : vips) {
            try {
                if (table.remove(vip)) {
                    log.warn("group {}: removed stale VIP {} from {} (left by an earlier run)", group, vip, interfaceName);
                }
            } catch (RuntimeException e) {
                log.error("group {}: could not remove stale VIP {} from {}: {}", group, vip, interfaceName, e.getMessage());
            }
        }
    }

    /** Adds every VIP not attached yet; one that fails is retried at the next call. */
    void attach(long now) {
        for (int i = 0; i < attached.length; i++) {
            if (attached[i]) {
                continue;
            }
            try {
                table.add(vips.get(i));
                attached[i] = true;
            } catch (RuntimeException e) {
                attachErrorLog.warn(now, "group {}: could not attach VIP {} to {} (retrying with every advert): {}",
                        group, vips.get(i), interfaceName, e.getMessage());
            }
        }
    }

    void release() {
        announceSchedule.stop();
        for (int i = 0; i < attached.length; i++) {
            try {
                table.remove(vips.get(i));
                attached[i] = false;
            } catch (RuntimeException e) {
                log.error("group {}: could not release VIP {} from {}: {}", group, vips.get(i), interfaceName, e.getMessage());
            }
        }
    }

    /** Starts the announcement burst; its first frames leave at once. */
    void announce(long now) {
        announceSchedule.start(now);
        sendDueAnnouncements(now);
    }

    void sendDueAnnouncements(long now) {
        if (announceSchedule.hasDeadline() && now - announceSchedule.nextDeadline() >= 0) {
            int frames = announceSchedule.due(now);
            for (int i = 0; i < frames; i++) {
                announceOnce(now);
            }
        }
    }

    /** The next announcement, or {@code fallback} when none comes before it. */
    long nextDeadline(long fallback) {
        return announceSchedule.hasDeadline() && announceSchedule.nextDeadline() - fallback < 0 ? announceSchedule.nextDeadline() : fallback;
    }

    /** An address left the interface (a netlink event): if it is one of ours, check them all. */
    void onAddressRemoved(long now, VipAddress address) {
        for (int i = 0; i < attached.length; i++) {
            if (attached[i] && vips.get(i).equals(address)) {
                restoreRemoved(now);
                return;
            }
        }
    }

    /**
     * Asks the table for every attached VIP; one that is gone (networkd, NetworkManager, {@code ip addr del}) is put
     * back and announced again. The table is asked first: the event may be our own release, read after the VIP was
     * attached again.
     */
    void restoreRemoved(long now) {
        boolean removed = false;
        for (int i = 0; i < attached.length; i++) {
            if (attached[i] && !table.isPresent(vips.get(i))) {
                log.warn("group {}: VIP {} was removed from {} by something else while MASTER; adding it back", group, vips.get(i),
                        interfaceName);
                attached[i] = false;
                removed = true;
            }
        }
        if (removed) {
            attach(now);
            announce(now);
        }
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
                announceErrorLog.warn(now, "group {}: announcement of {} not sent: {}", group, vips.get(i), e.getMessage());
            }
        }
    }
}
