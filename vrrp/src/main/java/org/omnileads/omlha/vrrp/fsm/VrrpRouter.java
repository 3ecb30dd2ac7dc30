package org.omnileads.omlha.vrrp.fsm;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * One VRRP virtual router's state machine: RFC 5798 §6.4 (VRRPv3) and RFC 3768 §6.4 (VRRPv2), with
 * keepalived's behaviour where it differs. It is the single owner of the router's state and of its one timer
 * (the Master_Down_Timer in BACKUP, the Adver_Timer in MASTER); it does no I/O and reads no clock: every input
 * carries a monotonic {@code now} in nanoseconds, which may start anywhere in the {@code long} range (deadlines
 * are compared as {@code now - deadline >= 0}). It acts through {@link RouterActions}. Not thread-safe: one
 * event loop owns it.
 *
 * <p>Timers (all computed in nanoseconds, as keepalived does in microseconds, not in whole centiseconds):
 * <ul>
 *   <li>Skew_Time: v3 {@code (256 - priority) * Master_Adver_Interval / 256}; v2 {@code (256 - priority) / 256}
 *       seconds. {@code priority} is our {@linkplain #effectivePriority() effective priority}.
 *   <li>Master_Down_Interval: {@code 3 * Master_Adver_Interval + Skew_Time}.
 *   <li>Master_Adver_Interval: our own interval, until a v3 backup learns the master's from its adverts
 *       (a v2 router never learns: the caller drops v2 adverts whose interval differs from ours).
 * </ul>
 *
 * <p>Transitions: every input in every state ("ours" is our effective priority).
 * <pre>
 * state   input                                            next    actions, in order
 * INIT    start(), a fault flagged                         FAULT   transition
 *         start(), priority 255 (the address owner)        MASTER  attachVips, announceVips, sendAdvert, transition;
 *                                                                  Adver_Timer = our advert interval
 *         start()                                          BACKUP  transition; Master_Down_Timer = Master_Down_Interval
 *         setFault()                                       INIT    remembered for start()
 *         advert, timer, shutdown()                        INIT    ignored
 * BACKUP  Master_Down_Timer expires                        MASTER  as for the owner above
 *         advert, priority 0                               BACKUP  Master_Down_Timer = Skew_Time
 *         advert, priority at least ours, or preempt off   BACKUP  learn the master (address, priority, v3 interval);
 *                                                                  Master_Down_Timer = Master_Down_Interval
 *         advert, priority below ours, preempt on:
 *           within the preempt delay                       BACKUP  as above
 *           otherwise                                      BACKUP  discard it: we take over when the timer expires
 *         setFault(true)                                   FAULT   transition; no timer
 *         setPassive(true) (maintenance)                   BACKUP  no timer: follows adverts, never takes over
 *         shutdown()                                       INIT    transition
 * MASTER  Adver_Timer expires                              MASTER  sendAdvert; Adver_Timer re-armed
 *         advert, priority above ours, or equal and from   BACKUP  sendAdvert (one last, so that the other master
 *           a greater primary address                              re-announces), releaseVips, transition; learn the
 *                                                                  master; Master_Down_Timer = Master_Down_Interval
 *         any other advert (priority 0, lower, or equal    MASTER  sendAdvert at once; Adver_Timer re-armed; for a
 *           from a smaller address)                                priority above 0 also announceVips (at most once a
 *                                                                  second): the other master's ARPs are undone
 *         setEffectivePriority(), a new value              MASTER  sendAdvert at once; Adver_Timer re-armed
 *         setFault(true), releasing at once (link down)    FAULT   sendAdvert(priority 0), releaseVips, transition
 *         setFault(true), any other fault                  FAULT   sendAdvert(priority 0), transition; hand over (below)
 *         setPassive(true) (maintenance)                   BACKUP  sendAdvert(priority 0), transition; hand over
 *         shutdown()                                       INIT    sendAdvert(priority 0), transition; hand over
 * FAULT   setFault(false), priority 255                    MASTER  as for the owner above
 *         setFault(false)                                  BACKUP  transition; Master_Down_Timer = Master_Down_Interval
 *         shutdown()                                       INIT    transition
 *         advert, timer                                    FAULT   ignored
 * </pre>
 * An advert whose source is our own primary address (our own, looped back) is ignored in every state, and
 * {@code start()} outside INIT is rejected.
 *
 * <p>Make-before-break (the contract's Handover): a master that gives the group up on its own keeps its VIPs,
 * {@linkplain #handingOver() handing over}, in whatever state it went to:
 * <pre>
 * handing over, input                          actions
 * advert with priority above 0 from another    releaseVips (BACKUP also follows it as the master)
 * every advert interval                        sendAdvert(priority 0) again: one lost advert costs one interval
 * the handover bound passes, nobody heard      releaseVips; or, passive with keepIfUntaken: MASTER again
 * setFault(true, at once), releaseNow()        releaseVips
 * BACKUP's Master_Down_Timer expires           MASTER, without attachVips (the VIPs are still on)
 * </pre>
 * So two routers hold the VIPs together only from the new master's first advert until it reaches us: one network
 * delay. The bound is the Master_Down_Interval of a priority-1 backup ({@link #handoverBoundNanos()}).
 *
 * <p>The rightful holder ({@link #setRightful}): the node's policy knows from outside VRRP that this router should
 * hold the group (its database was just promoted to primary). Such a router does not wait a Master_Down_Interval to
 * learn that nobody else holds it; it takes the group as soon as no live master is heard. A live master is the
 * source of the last advert heard with a priority above 0, in any state (FAULT too), for two Master_Adver_Intervals
 * plus Skew_Time after it (one late or lost advert must not make two masters); a priority-0 advert from it, or that
 * silence, ends it. At start nobody is known for a Master_Down_Interval. While a live master is heard the RFC's
 * rules hold, except that its silence counts after two intervals (plus Skew_Time) rather than three:
 * <pre>
 * rightful, input                                          actions
 * setRightful(true), setFault(false), setPassive(false),   BACKUP with no live master: MASTER at once; otherwise
 *   in BACKUP                                              Master_Down_Timer at most until the live master's end
 * advert, priority 0, in BACKUP                            MASTER at once (not after Skew_Time)
 * advert, priority at least ours                           Master_Down_Timer = 2 * Master_Adver_Interval + Skew_Time
 * </pre>
 *
 * <p>Choices where the RFCs leave room:
 * <ul>
 *   <li>A master that hears a lower priority (or an equal one from a smaller address) advertises at once, as
 *       keepalived does, so the other side steps down within one network delay instead of one interval.
 *   <li>Preempt delay: a backup with preempt on normally discards a lower-priority master's adverts and takes
 *       over when its Master_Down_Timer expires. With a preempt delay it keeps following that master until the
 *       delay has passed since it first saw it while having the higher priority (seeing a higher or equal
 *       priority, or leaving BACKUP, starts the count afresh). This lets a returning main node finish starting
 *       its services before it takes the addresses back; it takes over at most one Master_Down_Interval after
 *       the delay. keepalived counts from start-up or from seeing the lower master, which is nearly the same.
 *   <li>Priority ties between a backup and the master do not preempt (RFC 5798 §6.4.2: "greater than or equal
 *       ... reset the Master_Down_Timer"): the incumbent stays. The address tie-break decides only between two
 *       masters. Addresses are compared as unsigned bytes.
 *   <li>An owner (priority 255) always preempts, whatever {@code preempt} says, and its priority is never
 *       re-weighted.
 * </ul>
 *
 * <p>The advert and timer paths allocate nothing; reason strings are built only when the state changes.
 */
public final class VrrpRouter {

    /** What {@link #nextDeadline()} returns when there is no timer: meaningless as a time, check {@link #hasDeadline()}. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /**
     * How long a router that preempts a live lower master holds its addresses, with its gratuitous ARPs sent, before
     * its first advert: that advert makes the lower master release, and a request a neighbour sent to the lower
     * master's MAC just before our ARP reached it (or whose answer is still leaving the lower master) must find the
     * address still there. Only when preempting: the other backups hear the live lower master and keep their timers,
     * so a later advert cannot make one of them take over too (after a priority-0 advert or a silent master it could).
     */
    public static final long PREEMPT_SETTLE_NANOS = 5_000_000L;

    private final RouterConfig config;
    private final RouterActions actions;
    private final InetAddress primaryAddress;
    private final byte[] primaryAddressBytes;
    private final boolean preempt;

    private VrrpState state = VrrpState.INIT;
    private int effectivePriority;
    private boolean faulted;
    private String faultReason;

    private boolean timerArmed;
    private long deadline;
    private long timerArmedAt;

    /** What we know of the master while BACKUP; the getters report ourselves while MASTER. */
    private int masterAdverIntervalCentis;
    private InetAddress masterAddress;
    private int masterPriority;

    /** BACKUP: the master that resigned (priority 0) since the timer was last armed; for the reason. */
    private InetAddress resignedMaster;
    /** BACKUP: the last lower-priority master whose advert we discarded; for the reason. */
    private InetAddress preemptedMaster;
    /** MASTER since a preemption, the first advert not sent yet ({@link #PREEMPT_SETTLE_NANOS}). */
    private boolean preemptSettling;
    /** The policy says this router should hold the group: take it as soon as no live master is heard. */
    private boolean rightful;
    /** The source of the last advert above priority 0 heard in any state; null before the first. */
    private InetAddress liveMaster;
    /** Until when {@link #liveMaster} counts as alive (after start: until a Master_Down_Interval has passed). */
    private long liveMasterUntil;
    /** The live master's last word was a priority-0 advert. */
    private boolean liveMasterResigned;
    private int preemptedPriority;
    /** BACKUP with a preempt delay: when we first saw a lower-priority master. */
    private boolean lowerMasterSeen;
    private long lowerMasterSince;

    /**
     * Make-before-break: a master that gave the group up on its own (shutdown, FAULT other than its link, passive)
     * still holds its VIPs, repeating its priority-0 advert every interval, until another router's advert with a
     * priority above 0 is heard; then it releases them. Nobody by {@link #handoverDeadline}: released, or with
     * {@link #keepIfUntaken} (maintenance without --force) taken back as MASTER.
     */
    private boolean handingOver;
    private long handoverDeadline;
    private long handoverNextAdvert;
    private boolean keepIfUntaken;
    private Handover lastHandover = Handover.NONE;
    private InetAddress takenBy;
    /** MASTER: when we last re-announced our VIPs because a lower master was heard. */
    private boolean lowerMasterAnnounced;
    private long lowerMasterAnnouncedAt;
    /** MASTER: when we last heard a lower master (above priority 0), to tell a new split brain from the same one. */
    private long lowerMasterHeardAt;
    /** In maintenance: never takes the group, never preempts; follows the master for status. */
    private boolean passive;

    /** The last equal-priority source compared with our address, so a repeated tie costs no allocation. */
    private InetAddress lastTieSource;
    private boolean lastTieSourceGreater;

    public VrrpRouter(RouterConfig config, RouterActions actions) {
        this.config = Objects.requireNonNull(config, "config");
        this.actions = Objects.requireNonNull(actions, "actions");
        this.primaryAddress = config.primaryAddress();
        this.primaryAddressBytes = primaryAddress.getAddress();
        this.preempt = config.preempt() || config.isAddressOwner();
        this.effectivePriority = config.priority();
        this.masterAdverIntervalCentis = config.advertIntervalCentis();
    }

    // ---- inputs ----

    /** Leaves INIT: to FAULT if a fault is flagged, MASTER at once for the address owner, BACKUP otherwise. */
    public void start(long now) {
        startInput(now);
        rethrowActionFailure();
    }

    private void startInput(long now) {
        if (state != VrrpState.INIT) {
            throw new IllegalStateException("start() in state " + state + " (expected: INIT)");
        }
        liveMasterUntil = now + masterDownIntervalNanos(); // what RFC 5798 gives a starting backup to hear a master
        if (faulted) {
            leave(now, VrrpState.FAULT, faultReason, true);
        } else if (config.isAddressOwner() && !passive) {
            becomeMaster(now, "started as address owner (priority 255)");
        } else {
            becomeBackup(now, "started");
        }
    }

    /**
     * An advert for our VRID that the caller has already validated (RFC 5798 §7.1).
     *
     * @param priority 0..255
     * @param advertIntervalCentis the advertised interval in centiseconds (v2: seconds times 100); only a v3
     *     router uses it
     */
    public void onAdvert(long now, InetAddress source, int priority, int advertIntervalCentis) {
        onAdvertInput(now, source, priority, advertIntervalCentis);
        rethrowActionFailure();
    }

    private void onAdvertInput(long now, InetAddress source, int priority, int advertIntervalCentis) {
        Objects.requireNonNull(source, "source");
        if (priority < 0 || priority > 255) {
            throw new IllegalArgumentException("advert priority " + priority + " (expected: 0..255)");
        }
        if (advertIntervalCentis < 1) {
            throw new IllegalArgumentException("advert interval " + advertIntervalCentis + " cs (expected: 1 or more)");
        }
        if (source.equals(primaryAddress)) {
            return;
        }
        heard(now, source, priority, advertIntervalCentis);
        if (state == VrrpState.BACKUP) {
            backupOnAdvert(now, source, priority, advertIntervalCentis);
        } else if (state == VrrpState.MASTER) {
            masterOnAdvert(now, source, priority, advertIntervalCentis);
        }
        if (handingOver && priority > 0) {
            endHandover(now, Handover.TAKEN, source);
        }
    }

    /** Fires the timer if it is due; does nothing when called before {@link #nextDeadline()} or without a timer. */
    public void onTimer(long now) {
        onTimerInput(now);
        rethrowActionFailure();
    }

    private void onTimerInput(long now) {
        if (handingOver) {
            handoverOnTimer(now);
        }
        if (!timerArmed || now - deadline < 0) {
            return;
        }
        if (state == VrrpState.MASTER) {
            // The next advert is due one interval after this one was due, not after we woke up: a loop that
            // wakes a little late each time must not stretch the interval. After a stall longer than an
            // interval the schedule restarts from now rather than sending a burst of catch-up adverts.
            long next = deadline + config.advertIntervalNanos();
            timerArmedAt = now;
            deadline = next - now > 0 ? next : now + config.advertIntervalNanos();
            preemptSettling = false;
            sendAdvert(now, effectivePriority);
        } else if (state == VrrpState.BACKUP) {
            becomeMaster(now, masterDownReason(now));
        }
    }

    /**
     * Tracking changed our priority. A master advertises the new one at once; a backup uses it from now on
     * (Skew_Time and Master_Down_Interval follow it from the next advert). Ignored for the address owner.
     *
     * @param priority 1..254
     */
    public void setEffectivePriority(long now, int priority) {
        setEffectivePriorityInput(now, priority);
        rethrowActionFailure();
    }

    private void setEffectivePriorityInput(long now, int priority) {
        if (priority < 1 || priority >= RouterConfig.OWNER_PRIORITY) {
            throw new IllegalArgumentException("effective priority " + priority + " (expected: 1..254)");
        }
        if (config.isAddressOwner() || priority == effectivePriority) {
            return;
        }
        effectivePriority = priority;
        if (state == VrrpState.MASTER) {
            advertise(now);
        }
    }

    /**
     * Enters FAULT (a tracked check is down) or leaves it. A master leaving for FAULT sends a priority-0 advert and
     * hands its addresses over (make-before-break, see the class comment). In INIT the fault is only recorded for
     * {@link #start}.
     *
     * @param reason for the transition, e.g. {@code "probe pg down"}
     */
    public void setFault(long now, boolean fault, String reason) {
        setFault(now, fault, reason, false);
    }

    /**
     * As {@link #setFault(long, boolean, String)}; with {@code releaseAtOnce} a master releases its addresses at once,
     * and a handover in progress ends at once: our own interface is down (nobody can reach us on the VIPs), or what
     * the VIPs lead to must not be reached here any more (a read-write VIP whose database stopped being the primary).
     */
    public void setFault(long now, boolean fault, String reason, boolean releaseAtOnce) {
        setFaultInput(now, fault, reason, releaseAtOnce);
        rethrowActionFailure();
    }

    private void setFaultInput(long now, boolean fault, String reason, boolean releaseAtOnce) {
        Objects.requireNonNull(reason, "reason");
        if (fault) {
            faulted = true;
            faultReason = reason;
            if (state == VrrpState.MASTER || state == VrrpState.BACKUP) {
                leave(now, VrrpState.FAULT, reason, !releaseAtOnce);
            } else if (handingOver && releaseAtOnce) {
                endHandover(now, Handover.RELEASED_UNTAKEN, null);
            }
        } else {
            faulted = false;
            faultReason = null;
            if (state == VrrpState.FAULT) {
                if (config.isAddressOwner() && !passive) {
                    becomeMaster(now, reason);
                } else {
                    becomeBackup(now, reason);
                    takeIfRightful(now);
                }
            }
        }
    }

    /**
     * Graceful stop (RFC 5798 §6.4.3): a master sends a priority-0 advert and hands its addresses over
     * (make-before-break: the caller keeps feeding adverts and timers until {@link #handingOver()} is false); then INIT.
     */
    public void shutdown(long now) {
        shutdownInput(now);
        rethrowActionFailure();
    }

    private void shutdownInput(long now) {
        if (state != VrrpState.INIT) {
            leave(now, VrrpState.INIT, "shutdown", true);
        }
    }

    /** Ends a handover in progress now: the addresses are released whoever took over (a stop that cannot wait longer). */
    public void releaseNow(long now) {
        if (handingOver) {
            endHandover(now, Handover.RELEASED_UNTAKEN, null);
        }
        rethrowActionFailure();
    }

    /**
     * Maintenance: a passive router neither takes the group nor preempts; it follows the master for status. A MASTER
     * that turns passive resigns (priority 0, to BACKUP) and hands its addresses over; if nobody takes over in time it
     * releases them, or with {@code keepIfUntaken} becomes MASTER again and stops being passive
     * ({@link #lastHandover()} says {@link Handover#KEPT_UNTAKEN}). Turning passive off re-enters the election.
     */
    public void setPassive(long now, boolean passive, String reason, boolean keepIfUntaken) {
        setPassiveInput(now, passive, reason, keepIfUntaken);
        rethrowActionFailure();
    }

    private void setPassiveInput(long now, boolean on, String reason, boolean keepIfUntaken) {
        Objects.requireNonNull(reason, "reason");
        if (on == passive) {
            if (on && handingOver) {
                this.keepIfUntaken = keepIfUntaken; // --force after a first attempt
            }
            return;
        }
        passive = on;
        if (on) {
            if (state == VrrpState.MASTER) {
                state = VrrpState.BACKUP;
                timerArmed = false;
                forgetMaster();
                sendAdvert(now, 0);
                startHandover(now, keepIfUntaken);
                transition(now, VrrpState.MASTER, VrrpState.BACKUP, reason);
            } else if (state == VrrpState.BACKUP) {
                timerArmed = false;
            }
        } else if (state == VrrpState.BACKUP) {
            arm(now, masterDownIntervalNanos());
            takeIfRightful(now);
        }
    }

    // ---- queries ----

    public VrrpState state() {
        return state;
    }

    public RouterConfig config() {
        return config;
    }

    public int effectivePriority() {
        return effectivePriority;
    }

    /** Why the router is held in FAULT (also in INIT, for {@link #start}), or null when no fault is flagged. */
    public String faultReason() {
        return faulted ? faultReason : null;
    }

    /** Whether a timer runs: in BACKUP and MASTER, and while handing over. */
    public boolean hasDeadline() {
        return timerArmed || handingOver;
    }

    /** When {@link #onTimer} should be called next, in the caller's nanoseconds; {@link #NO_DEADLINE} without a timer. */
    public long nextDeadline() {
        long next = timerArmed ? deadline : NO_DEADLINE;
        if (handingOver) {
            long handover = handoverNextAdvert - handoverDeadline < 0 ? handoverNextAdvert : handoverDeadline;
            if (!timerArmed || handover - next < 0) {
                next = handover;
            }
        }
        return next;
    }

    /** Whether this router still holds addresses of a group it gave up, waiting for the new master to be heard. */
    public boolean handingOver() {
        return handingOver;
    }

    /** How the last handover went; {@link Handover#PENDING} while {@link #handingOver()}. */
    public Handover lastHandover() {
        return lastHandover;
    }

    /** Who took the group over at the last handover ({@link Handover#TAKEN}), or null. */
    public InetAddress takenBy() {
        return takenBy;
    }

    /** In maintenance: see {@link #setPassive}. */
    public boolean passive() {
        return passive;
    }

    /**
     * How long a handover waits for a taker: the Master_Down_Interval of the lowest possible backup (priority 1), so
     * every backup that could take over has had its chance even if our first priority-0 advert was lost.
     */
    public long handoverBoundNanos() {
        long interval = config.advertIntervalCentis() * RouterConfig.NANOS_PER_CENTI;
        long skew = config.version() == 2 ? 255 * NANOS_PER_SECOND / 256 : interval * 255 / 256;
        return 3 * interval + skew;
    }

    /** The master's address: ours while MASTER, the followed master's in BACKUP, {@code null} when unknown. */
    public InetAddress masterAddress() {
        return state == VrrpState.MASTER ? primaryAddress : masterAddress;
    }

    /** The master's priority: ours while MASTER, the followed master's in BACKUP, 0 when unknown. */
    public int masterPriority() {
        return state == VrrpState.MASTER ? effectivePriority : masterPriority;
    }

    /** Master_Adver_Interval in centiseconds: ours, or the master's as a v3 backup learned it. */
    public int masterAdvertIntervalCentis() {
        return masterAdverIntervalCentis;
    }

    /** Skew_Time for our effective priority, in nanoseconds. */
    public long skewNanos() {
        long weight = 256 - effectivePriority;
        if (config.version() == 2) {
            return weight * NANOS_PER_SECOND / 256;
        }
        return masterAdverIntervalCentis * RouterConfig.NANOS_PER_CENTI * weight / 256;
    }

    /** Master_Down_Interval for our effective priority, in nanoseconds. */
    public long masterDownIntervalNanos() {
        return 3 * masterAdverIntervalCentis * RouterConfig.NANOS_PER_CENTI + skewNanos();
    }

    @Override
    public String toString() {
        InetAddress master = masterAddress();
        return "VrrpRouter[vrid " + config.vrid() + " v" + config.version() + " " + state + " priority "
                + effectivePriority + " master " + (master == null ? "unknown" : master.getHostAddress()) + "]";
    }

    // ---- per-state advert handling ----

    private void backupOnAdvert(long now, InetAddress source, int priority, int intervalCentis) {
        if (priority == 0) {
            resignedMaster = source;
            if (rightful && !passive) {
                becomeMaster(now, masterDownReason(now) + ", rightful holder");
            } else if (!passive) {
                arm(now, skewNanos());
            }
            return;
        }
        if (priority >= effectivePriority) {
            lowerMasterSeen = false;
            follow(now, source, priority, intervalCentis);
        } else if (!preempt || passive || withinPreemptDelay(now)) {
            follow(now, source, priority, intervalCentis); // a passive router never preempts: it follows whoever is master
        } else {
            preemptedMaster = source;
            preemptedPriority = priority;
        }
    }

    private boolean withinPreemptDelay(long now) {
        if (config.preemptDelayNanos() == 0) {
            return false;
        }
        if (!lowerMasterSeen) {
            lowerMasterSeen = true;
            lowerMasterSince = now;
        }
        return now - lowerMasterSince < config.preemptDelayNanos();
    }

    /** MASTER after preempting a live lower master, its first advert still to come (tests and status). */
    boolean preemptSettling() {
        return state == VrrpState.MASTER && preemptSettling;
    }

    private void masterOnAdvert(long now, InetAddress source, int priority, int intervalCentis) {
        boolean higher = priority > effectivePriority;
        if (higher || (priority == effectivePriority && isGreaterThanOurAddress(source))) {
            String reason = (higher ? "higher priority " : "equal priority ") + priority + " from "
                    + (higher ? "" : "greater address ") + source.getHostAddress();
            state = VrrpState.BACKUP;
            lowerMasterSeen = false;
            follow(now, source, priority, intervalCentis);
            // One last advert as we step down: two masters at once means a split brain just healed (or a preemption),
            // and the neighbours may still point at us. The higher master hears a lower one and re-announces its VIPs;
            // had we stepped down in silence, it would never know, and they would wait until their ARP entries go stale.
            sendAdvert(now, effectivePriority);
            releaseVips(now);
            transition(now, VrrpState.MASTER, VrrpState.BACKUP, reason);
        } else if (preemptSettling) {
            return; // the lower master we are taking over from: our first advert is only a few milliseconds away
        } else {
            advertise(now);
            // The rate limit holds for one lower master that keeps advertising; a lower master heard again after a
            // silence of two of its intervals is a new split brain (a freeze, a partition), announced at once.
            boolean newEpisode = now - lowerMasterHeardAt > 2 * Math.max(config.advertIntervalNanos(),
                    (long) intervalCentis * RouterConfig.NANOS_PER_CENTI);
            if (priority > 0) {
                lowerMasterHeardAt = now;
            }
            if (priority > 0 && (!lowerMasterAnnounced || newEpisode || now - lowerMasterAnnouncedAt >= lowerMasterAnnounceSpacing())) {
                // Another master, below us: a split brain (partition, frozen process) just healed. Its gratuitous
                // ARPs moved the neighbours to it; once it hears us it releases, and they would be left pointing at
                // a node without the VIPs until their entries go stale. keepalived's garp_lower_prio_repeat.
                lowerMasterAnnounced = true;
                lowerMasterAnnouncedAt = now;
                announceVips(now);
            }
        }
    }

    /** At most one burst per second (or per three intervals) for a lower master that keeps advertising. */
    private long lowerMasterAnnounceSpacing() {
        return Math.max(NANOS_PER_SECOND, 3 * config.advertIntervalNanos());
    }

    private void follow(long now, InetAddress source, int priority, int intervalCentis) {
        if (config.version() == 3) {
            masterAdverIntervalCentis = intervalCentis;
        }
        masterAddress = source;
        masterPriority = priority;
        resignedMaster = null;
        preemptedMaster = null;
        if (!passive) {
            arm(now, rightful ? 2 * masterAdverIntervalCentis * RouterConfig.NANOS_PER_CENTI + skewNanos() : masterDownIntervalNanos());
        }
    }

    /**
     * Any advert from another router, in any state: who is alive as master, and until when. A priority-0 advert from
     * that master (or from anyone while none is known) means nobody is.
     */
    private void heard(long now, InetAddress source, int priority, int intervalCentis) {
        if (priority == 0) {
            if (liveMaster == null || source.equals(liveMaster)) {
                liveMaster = source;
                liveMasterResigned = true;
                liveMasterUntil = now;
            }
            return;
        }
        liveMaster = source;
        liveMasterResigned = false;
        long interval = intervalCentis * RouterConfig.NANOS_PER_CENTI; // v2: whole seconds, given as centiseconds
        long skew = config.version() == 2 ? (256 - effectivePriority) * NANOS_PER_SECOND / 256 : (256 - effectivePriority) * interval / 256;
        liveMasterUntil = now + 2 * interval + skew;
    }

    /** A rightful BACKUP takes the group now if no live master is heard, or sets its timer to the live master's end. */
    private void takeIfRightful(long now) {
        if (!rightful || passive || state != VrrpState.BACKUP) {
            return;
        }
        if (now - liveMasterUntil >= 0) {
            String why = liveMaster == null ? "no master heard since start"
                    : liveMasterResigned ? liveMaster.getHostAddress() + " resigned with priority 0"
                    : "nothing from " + liveMaster.getHostAddress() + " for two advert intervals";
            becomeMaster(now, "rightful holder, no live master (" + why + ")");
        } else if (!timerArmed || deadline - liveMasterUntil > 0) {
            timerArmed = true;
            timerArmedAt = now;
            deadline = liveMasterUntil;
        }
    }

    /**
     * Whether the node's policy says this router should hold the group (for a PostgreSQL read-write group: its
     * database is the primary and not stale). A rightful router takes the group as soon as no live master is heard
     * instead of waiting a Master_Down_Interval (see the class comment); with a live master, the RFC's rules hold.
     */
    public void setRightful(long now, boolean rightful) {
        if (this.rightful == rightful) {
            return;
        }
        this.rightful = rightful;
        takeIfRightful(now);
        rethrowActionFailure();
    }

    public boolean rightful() {
        return rightful;
    }

    private boolean isGreaterThanOurAddress(InetAddress source) {
        if (!source.equals(lastTieSource)) {
            lastTieSource = source;
            lastTieSourceGreater = Arrays.compareUnsigned(source.getAddress(), primaryAddressBytes) > 0;
        }
        return lastTieSourceGreater;
    }

    // ---- transitions: the router's fields change first, then the actions run ----

    private void becomeMaster(long now, String reason) {
        VrrpState from = state;
        state = VrrpState.MASTER;
        boolean stillAttached = handingOver;
        boolean preemptingLiveMaster = from == VrrpState.BACKUP && preemptedMaster != null;
        lowerMasterAnnounced = false;
        if (handingOver) {
            handingOver = false; // our addresses are still on: taking the group again needs no release in between
            lastHandover = Handover.NONE;
        }
        masterAdverIntervalCentis = config.advertIntervalCentis();
        forgetMaster();
        arm(now, config.advertIntervalNanos());
        // The addresses and their gratuitous ARPs before the advert: an old master that hands over (make-before-break)
        // releases the moment our advert reaches it, and by then the neighbours must already have our MAC, or a SYN
        // sent in between is lost to the 1 s retransmission. RFC 5798 and keepalived send the advert first.
        if (!stillAttached) {
            attachVips(now);
        }
        announceVips(now);
        preemptSettling = preemptingLiveMaster;
        if (preemptingLiveMaster) {
            arm(now, PREEMPT_SETTLE_NANOS); // the first advert leaves when this timer fires, then every interval
        } else {
            sendAdvert(now, effectivePriority);
        }
        transition(now, from, VrrpState.MASTER, reason);
    }

    /** From INIT or FAULT: Master_Adver_Interval starts as ours again, the master is unknown. */
    private void becomeBackup(long now, String reason) {
        VrrpState from = state;
        state = VrrpState.BACKUP;
        masterAdverIntervalCentis = config.advertIntervalCentis();
        forgetMaster();
        if (passive) {
            timerArmed = false;
        } else {
            arm(now, masterDownIntervalNanos());
        }
        transition(now, from, VrrpState.BACKUP, reason);
    }

    /**
     * To FAULT or INIT, where no timer runs; a master resigns with a priority-0 advert first, then hands its
     * addresses over ({@code handOver}) or releases them at once.
     */
    private void leave(long now, VrrpState to, String reason, boolean handOver) {
        VrrpState from = state;
        state = to;
        timerArmed = false;
        forgetMaster();
        if (from == VrrpState.MASTER) {
            sendAdvert(now, 0);
            if (handOver) {
                startHandover(now, false);
            } else {
                releaseVips(now);
            }
        } else if (handingOver && !handOver) {
            endHandover(now, Handover.RELEASED_UNTAKEN, null);
        }
        transition(now, from, to, reason);
    }

    // ---- make-before-break ----

    private void startHandover(long now, boolean keep) {
        handingOver = true;
        keepIfUntaken = keep;
        lastHandover = Handover.PENDING;
        takenBy = null;
        handoverDeadline = now + handoverBoundNanos();
        handoverNextAdvert = now + config.advertIntervalNanos();
    }

    private void handoverOnTimer(long now) {
        if (now - handoverDeadline >= 0) {
            if (keepIfUntaken && state == VrrpState.BACKUP) {
                passive = false;
                becomeMaster(now, "nobody took over within " + seconds(handoverBoundNanos()) + ": keeps serving here");
                lastHandover = Handover.KEPT_UNTAKEN;
            } else {
                endHandover(now, Handover.RELEASED_UNTAKEN, null);
            }
        } else if (now - handoverNextAdvert >= 0) {
            // Repeated, so that one lost priority-0 advert costs a backup one interval, not a Master_Down_Interval.
            long next = handoverNextAdvert + config.advertIntervalNanos();
            handoverNextAdvert = next - now > 0 ? next : now + config.advertIntervalNanos();
            sendAdvert(now, 0);
        }
    }

    private void endHandover(long now, Handover outcome, InetAddress taker) {
        handingOver = false;
        lastHandover = outcome;
        takenBy = taker;
        releaseVips(now);
    }

    private void forgetMaster() {
        masterAddress = null;
        masterPriority = 0;
        resignedMaster = null;
        preemptedMaster = null;
        lowerMasterSeen = false;
    }

    private void advertise(long now) {
        preemptSettling = false;
        arm(now, config.advertIntervalNanos());
        sendAdvert(now, effectivePriority);
    }

    private void arm(long now, long durationNanos) {
        timerArmed = true;
        timerArmedAt = now;
        deadline = now + durationNanos;
    }

    // ---- actions: every one of a change runs, even after one threw; the first failure is rethrown at the end ----

    /** The first exception an action threw during the current input, rethrown once the input is fully handled. */
    private RuntimeException actionFailure;

    private void sendAdvert(long now, int priority) {
        try {
            actions.sendAdvert(now, priority, config.advertIntervalCentis());
        } catch (RuntimeException e) {
            recordActionFailure(e);
        }
    }

    private void attachVips(long now) {
        try {
            actions.attachVips(now);
        } catch (RuntimeException e) {
            recordActionFailure(e);
        }
    }

    private void announceVips(long now) {
        try {
            actions.announceVips(now);
        } catch (RuntimeException e) {
            recordActionFailure(e);
        }
    }

    private void releaseVips(long now) {
        try {
            actions.releaseVips(now);
        } catch (RuntimeException e) {
            recordActionFailure(e);
        }
    }

    private void transition(long now, VrrpState from, VrrpState to, String reason) {
        try {
            actions.transition(now, from, to, reason);
        } catch (RuntimeException e) {
            recordActionFailure(e);
        }
    }

    private void recordActionFailure(RuntimeException e) {
        if (actionFailure == null) {
            actionFailure = e;
        } else if (actionFailure != e) {
            actionFailure.addSuppressed(e);
        }
    }

    private void rethrowActionFailure() {
        RuntimeException failure = actionFailure;
        if (failure != null) {
            actionFailure = null;
            throw failure;
        }
    }

    private String masterDownReason(long now) {
        if (resignedMaster != null) {
            return "priority 0 advert from " + resignedMaster.getHostAddress();
        }
        if (preemptedMaster != null) {
            return "preempting lower priority " + preemptedPriority + " from " + preemptedMaster.getHostAddress();
        }
        return "master down timer expired (no advert for " + seconds(now - timerArmedAt) + ")";
    }

    private static String seconds(long nanos) {
        long millis = nanos / 1_000_000;
        return String.format(Locale.ROOT, "%d.%03ds", millis / 1000, millis % 1000);
    }
}
