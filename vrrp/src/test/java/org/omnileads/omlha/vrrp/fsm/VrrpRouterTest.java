package org.omnileads.omlha.vrrp.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VrrpRouterTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;
    /** v3, priority 100, interval 1 s: Skew_Time = 156/256 s, Master_Down_Interval = 3 s + skew. */
    private static final long SKEW_100 = 609_375_000L;
    private static final long MDI_100 = 3 * SECOND + SKEW_100;

    private static final InetAddress OURS = ip("192.0.2.3");
    private static final InetAddress PEER = ip("192.0.2.2");
    private static final InetAddress GREATER = ip("192.0.2.200");

    private RecordingActions actions;
    private VrrpRouter router;
    private long now;

    @BeforeEach
    void setUp() {
        actions = new RecordingActions();
    }

    // ---- start ----

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MAX_VALUE - 10 * MS, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1})
    void startsAsBackupAndTakesOverWhenNoAdvertArrives(long origin) {
        router = router(3, 100, 100, true, 0);
        now = origin;
        router.start(now);

        assertEquals(VrrpState.BACKUP, router.state());
        assertEquals(List.of("INIT->BACKUP"), actions.take());
        assertEquals("started", actions.lastReason());
        assertTrue(router.hasDeadline());
        assertEquals(origin + MDI_100, router.nextDeadline());
        assertNull(router.masterAddress());

        router.onTimer(origin + MDI_100 - 1);
        assertEquals(List.of(), actions.take());
        assertEquals(VrrpState.BACKUP, router.state());

        router.onTimer(origin + MDI_100);
        assertEquals(List.of("attach", "announce", "advert 100 100", "BACKUP->MASTER"), actions.take());
        assertEquals("master down timer expired (no advert for 3.609s)", actions.lastReason());
        assertEquals(VrrpState.MASTER, router.state());
        assertEquals(OURS, router.masterAddress());
        assertEquals(100, router.masterPriority());
        assertEquals(origin + MDI_100 + SECOND, router.nextDeadline());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MAX_VALUE - 2 * SECOND, Long.MIN_VALUE, -SECOND / 2})
    void masterAdvertisesEveryIntervalAcrossAnyClockOrigin(long origin) {
        becomeMaster(origin);
        long deadline = router.nextDeadline();
        for (int i = 0; i < 5; i++) {
            router.onTimer(deadline - 1);
            assertEquals(List.of(), actions.take(), "an early tick is harmless");
            router.onTimer(deadline);
            assertEquals(List.of("advert 100 100"), actions.take());
            assertEquals(deadline + SECOND, router.nextDeadline());
            deadline += SECOND;
        }
        assertEquals(VrrpState.MASTER, router.state());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MAX_VALUE - 2 * SECOND, Long.MIN_VALUE})
    void aLateWakeUpDoesNotStretchTheAdvertInterval(long origin) {
        becomeMaster(origin);
        long due = router.nextDeadline();
        router.onTimer(due + 3 * MS);
        assertEquals(List.of("advert 100 100"), actions.take());
        assertEquals(due + SECOND, router.nextDeadline(), "the schedule keeps its phase");
        long nextDue = router.nextDeadline();
        router.onTimer(nextDue + 5 * SECOND);
        assertEquals(List.of("advert 100 100"), actions.take(), "one advert after a long stall, no catch-up burst");
        assertEquals(nextDue + 5 * SECOND + SECOND, router.nextDeadline(), "after a stall the schedule restarts from now");
    }

    @Test
    void addressOwnerBecomesMasterAtOnce() {
        router = router(3, 255, 100, false, 0);
        router.start(now);
        assertEquals(List.of("attach", "announce", "advert 255 100", "INIT->MASTER"), actions.take());
        assertEquals("started as address owner (priority 255)", actions.lastReason());
        assertEquals(now + SECOND, router.nextDeadline());
        assertTrue(actions.vipsHeld);
    }

    @Test
    void startOutsideInitIsRejected() {
        router = router(3, 100, 100, true, 0);
        router.start(now);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> router.start(now));
        assertEquals("start() in state BACKUP (expected: INIT)", e.getMessage());
    }

    // ---- timers ----

    @Test
    void skewAndMasterDownIntervalFollowTheRfcFormulas() {
        router = router(3, 100, 100, true, 0);
        assertEquals(SKEW_100, router.skewNanos());
        assertEquals(MDI_100, router.masterDownIntervalNanos());

        router = router(3, 254, 1, true, 0);
        assertEquals(10 * MS * 2 / 256, router.skewNanos());
        assertEquals(30 * MS + 78_125, router.masterDownIntervalNanos());

        // v2: the skew is (256 - priority) / 256 seconds whatever the interval
        router = router(2, 100, 200, true, 0);
        assertEquals(SKEW_100, router.skewNanos());
        assertEquals(6 * SECOND + SKEW_100, router.masterDownIntervalNanos());
    }

    // ---- BACKUP ----

    @Test
    void backupFollowsAHigherPriorityMaster() {
        startBackup(3, 100, true, 0);
        now += SECOND;
        router.onAdvert(now, PEER, 150, 100);

        assertEquals(List.of(), actions.take());
        assertEquals(now + MDI_100, router.nextDeadline());
        assertEquals(PEER, router.masterAddress());
        assertEquals(150, router.masterPriority());
    }

    @Test
    void backupDoesNotPreemptAnEqualPriorityMasterWhateverItsAddress() {
        startBackup(3, 100, true, 0);
        now += SECOND;
        router.onAdvert(now, ip("192.0.2.1"), 100, 100);
        assertEquals(now + MDI_100, router.nextDeadline());
        assertEquals(VrrpState.BACKUP, router.state());
    }

    @Test
    void v3BackupLearnsTheMastersInterval() {
        startBackup(3, 100, true, 0);
        now += SECOND;
        router.onAdvert(now, PEER, 150, 50);

        assertEquals(50, router.masterAdvertIntervalCentis());
        long mdi = 1_500 * MS + 500 * MS * 156 / 256;
        assertEquals(mdi, router.masterDownIntervalNanos());
        assertEquals(now + mdi, router.nextDeadline());
    }

    @Test
    void v2BackupKeepsItsOwnInterval() {
        startBackup(2, 100, true, 0);
        now += SECOND;
        router.onAdvert(now, PEER, 150, 300);
        assertEquals(100, router.masterAdvertIntervalCentis());
        assertEquals(now + MDI_100, router.nextDeadline());
    }

    @Test
    void priorityZeroFromTheMasterShortensTheTimerToSkewTime() {
        startBackup(3, 100, true, 0);
        router.onAdvert(now, PEER, 150, 100);
        now += SECOND;
        router.onAdvert(now, PEER, 0, 100);
        assertEquals(now + SKEW_100, router.nextDeadline());
        assertEquals(List.of(), actions.take());

        router.onTimer(now + SKEW_100);
        assertEquals(List.of("attach", "announce", "advert 100 100", "BACKUP->MASTER"), actions.take());
        assertEquals("priority 0 advert from 192.0.2.2", actions.lastReason());
    }

    @Test
    void backupWithPreemptDiscardsALowerPriorityMasterAndTakesOver() {
        startBackup(3, 100, true, 0);
        long started = now;
        now += SECOND;
        router.onAdvert(now, PEER, 50, 100);
        assertEquals(started + MDI_100, router.nextDeadline(), "the lower advert does not reset the timer");
        assertNull(router.masterAddress());

        router.onTimer(started + MDI_100);
        assertEquals(VrrpState.MASTER, router.state());
        assertEquals("preempting lower priority 50 from 192.0.2.2", actions.lastReason());
    }

    @Test
    void aPreemptingBackupAnnouncesFirstAndAdvertisesASettleTimeLater() {
        startBackup(3, 100, true, 0);
        long started = now;
        router.onAdvert(now + SECOND, PEER, 50, 100);
        now = started + MDI_100;
        router.onTimer(now);
        assertEquals(List.of("attach", "announce", "BACKUP->MASTER"), actions.take(),
                "the addresses and their ARPs now; the advert that makes the lower master release comes later");
        assertEquals(now + VrrpRouter.PREEMPT_SETTLE_NANOS, router.nextDeadline());

        router.onAdvert(now + MS, PEER, 50, 100);
        assertEquals(List.of(), actions.take(), "the lower master heard while settling: our advert is due anyway");

        router.onTimer(now + VrrpRouter.PREEMPT_SETTLE_NANOS);
        assertEquals(List.of("advert 100 100"), actions.take());
        assertEquals(now + VrrpRouter.PREEMPT_SETTLE_NANOS + SECOND, router.nextDeadline(), "then every interval");
        router.onAdvert(now + 10 * MS, PEER, 50, 100);
        assertEquals(List.of("advert 100 100", "announce"), actions.take(), "after settling, a lower master is answered at once");
    }

    @Test
    void aBackupWhoseMasterDiedSilentlyAdvertisesAtOnce() {
        startBackup(3, 100, true, 0);
        router.onAdvert(now, PEER, 150, 100);
        now += MDI_100;
        router.onTimer(now);
        assertEquals(List.of("attach", "announce", "advert 100 100", "BACKUP->MASTER"), actions.take(), "no lower master to settle for");
    }

    @Test
    void backupWithoutPreemptFollowsALowerPriorityMaster() {
        startBackup(3, 100, false, 0);
        now += SECOND;
        router.onAdvert(now, PEER, 50, 100);
        assertEquals(now + MDI_100, router.nextDeadline());
        assertEquals(50, router.masterPriority());
    }

    @Test
    void preemptDelayFollowsALowerMasterUntilTheDelayHasPassedSinceFirstSeeingIt() {
        startBackup(3, 100, true, 10 * SECOND);
        long firstSeen = now + SECOND;
        for (now = firstSeen; now - firstSeen < 10 * SECOND; now += SECOND) {
            router.onAdvert(now, PEER, 50, 100);
            assertEquals(now + MDI_100, router.nextDeadline(), "followed at +" + (now - firstSeen) / SECOND + "s");
        }
        long lastFollowed = now - SECOND;
        router.onAdvert(now, PEER, 50, 100);
        assertEquals(lastFollowed + MDI_100, router.nextDeadline(), "discarded once the delay has passed");

        router.onTimer(lastFollowed + MDI_100);
        assertEquals(VrrpState.MASTER, router.state());
        assertEquals("preempting lower priority 50 from 192.0.2.2", actions.lastReason());
    }

    @Test
    void preemptDelayCountsAfreshAfterAHigherMasterWasSeen() {
        startBackup(3, 100, true, 10 * SECOND);
        router.onAdvert(now + SECOND, PEER, 50, 100);
        router.onAdvert(now + 5 * SECOND, GREATER, 200, 100);
        router.onAdvert(now + 6 * SECOND, PEER, 50, 100);

        router.onAdvert(now + 15 * SECOND, PEER, 50, 100);
        assertEquals(now + 15 * SECOND + MDI_100, router.nextDeadline(), "still within 10 s of +6 s");
        router.onAdvert(now + 16 * SECOND, PEER, 50, 100);
        assertEquals(now + 15 * SECOND + MDI_100, router.nextDeadline(), "10 s after +6 s: discarded");
    }

    // ---- MASTER ----

    @Test
    void masterStepsDownToAHigherPriority() {
        becomeMaster(0);
        now += 200 * MS;
        router.onAdvert(now, PEER, 200, 50);

        assertEquals(List.of("advert 100 100", "release", "MASTER->BACKUP"), actions.take(),
                "one last advert: the other master hears it had company and re-announces");
        assertEquals("higher priority 200 from 192.0.2.2", actions.lastReason());
        assertFalse(actions.vipsHeld);
        assertEquals(VrrpState.BACKUP, router.state());
        assertEquals(PEER, router.masterAddress());
        assertEquals(200, router.masterPriority());
        assertEquals(50, router.masterAdvertIntervalCentis());
        assertEquals(now + 1_500 * MS + 500 * MS * 156 / 256, router.nextDeadline());
    }

    @Test
    void equalPriorityMastersCompareAddressesAsUnsignedBytes() {
        becomeMaster(0); // we are 192.0.2.3; .200 is greater unsigned, smaller as a signed byte
        router.onAdvert(now, GREATER, 100, 100);
        assertEquals(List.of("advert 100 100", "release", "MASTER->BACKUP"), actions.take());
        assertEquals("equal priority 100 from greater address 192.0.2.200", actions.lastReason());

        actions = new RecordingActions();
        router = new VrrpRouter(new RouterConfig(51, 3, 100, 100, true, 0, GREATER), actions);
        router.start(0);
        router.onTimer(MDI_100);
        actions.take();
        now = MDI_100 + 10 * MS;
        router.onAdvert(now, OURS, 100, 100);
        assertEquals(List.of("advert 100 100", "announce"), actions.take(), "the smaller address is told at once, the neighbours too");
        assertEquals(now + SECOND, router.nextDeadline());
        assertEquals(VrrpState.MASTER, router.state());
    }

    @Test
    void equalPriorityIpv6MastersCompareAddresses() {
        actions = new RecordingActions();
        router = new VrrpRouter(new RouterConfig(51, 3, 100, 100, true, 0, ip("fe80::1")), actions);
        router.start(0);
        router.onTimer(MDI_100);
        router.onAdvert(MDI_100, ip("fe80::1:0"), 100, 100);
        assertEquals(VrrpState.BACKUP, router.state());
    }

    @Test
    void masterReadvertisesAtOnceOnALowerPriorityOrAPriorityZero() {
        becomeMaster(0);
        now += 300 * MS;
        router.onAdvert(now, PEER, 50, 100);
        assertEquals(List.of("advert 100 100", "announce"), actions.take(), "another master: a split brain heals, ARP comes back to us");
        assertEquals(now + SECOND, router.nextDeadline());

        now += 300 * MS;
        router.onAdvert(now, PEER, 0, 100);
        assertEquals(List.of("advert 100 100"), actions.take());
        assertEquals(now + SECOND, router.nextDeadline());

        now += 300 * MS;
        router.onAdvert(now, PEER, 50, 100);
        assertEquals(List.of("advert 100 100"), actions.take(), "at most one re-announcement per three intervals (3 s here)");
        now += 2_500 * MS;
        router.onAdvert(now, PEER, 50, 100);
        assertEquals(List.of("advert 100 100", "announce"), actions.take());
    }

    @Test
    void aLowerMasterHeardAgainAfterASilenceIsANewSplitBrainAnnouncedAtOnce() {
        becomeMaster(0);
        now += 300 * MS;
        router.onAdvert(now, PEER, 50, 100);
        assertEquals(List.of("advert 100 100", "announce"), actions.take(), "a backup stepping down with its last advert");
        now += 2_100 * MS; // silence: more than two intervals; then the same node is master again (we were frozen)
        router.onAdvert(now, PEER, 50, 100);
        assertEquals(List.of("advert 100 100", "announce"), actions.take(), "a new episode, within the rate limit's 3 s");
        now += 900 * MS;
        router.onAdvert(now, PEER, 50, 100);
        assertEquals(List.of("advert 100 100"), actions.take(), "the same lower master advertising on: rate-limited");
    }

    @Test
    void ownAdvertsLoopedBackAreIgnored() {
        becomeMaster(0);
        long deadline = router.nextDeadline();
        router.onAdvert(now, OURS, 200, 100);
        assertEquals(List.of(), actions.take());
        assertEquals(deadline, router.nextDeadline());
        assertEquals(VrrpState.MASTER, router.state());
    }

    @Test
    void badAdvertArgumentsAreRejected() {
        router = router(3, 100, 100, true, 0);
        assertEquals("advert priority 256 (expected: 0..255)",
                assertThrows(IllegalArgumentException.class, () -> router.onAdvert(0, PEER, 256, 100)).getMessage());
        assertEquals("advert interval 0 cs (expected: 1 or more)",
                assertThrows(IllegalArgumentException.class, () -> router.onAdvert(0, PEER, 100, 0)).getMessage());
    }

    // ---- effective priority ----

    @Test
    void masterAdvertisesANewPriorityAtOnce() {
        becomeMaster(0);
        now += 100 * MS;
        router.setEffectivePriority(now, 80);
        assertEquals(List.of("advert 80 100"), actions.take());
        assertEquals(now + SECOND, router.nextDeadline());
        assertEquals(80, router.masterPriority());

        router.setEffectivePriority(now, 80);
        assertEquals(List.of(), actions.take(), "an unchanged priority sends nothing");
    }

    @Test
    void backupTakesANewPriorityIntoItsSkew() {
        startBackup(3, 100, true, 0);
        long deadline = router.nextDeadline();
        router.setEffectivePriority(now, 200);
        assertEquals(List.of(), actions.take());
        assertEquals(deadline, router.nextDeadline());
        assertEquals(SECOND * 56 / 256, router.skewNanos());
        assertEquals(200, router.effectivePriority());
    }

    @Test
    void theAddressOwnerIsNeverReweighted() {
        router = router(3, 255, 100, true, 0);
        router.start(now);
        actions.take();
        router.setEffectivePriority(now, 100);
        assertEquals(255, router.effectivePriority());
        assertEquals(List.of(), actions.take());
    }

    @Test
    void effectivePriorityOutOfRangeIsRejected() {
        router = router(3, 100, 100, true, 0);
        assertThrows(IllegalArgumentException.class, () -> router.setEffectivePriority(0, 0));
        assertEquals("effective priority 255 (expected: 1..254)",
                assertThrows(IllegalArgumentException.class, () -> router.setEffectivePriority(0, 255)).getMessage());
    }

    // ---- FAULT ----

    @Test
    void masterResignsIntoFaultAndComesBackAsBackup() {
        becomeMaster(0);
        router.setFault(now, true, "interface down", true);
        assertEquals(List.of("advert 0 100", "release", "MASTER->FAULT"), actions.take(), "a link down releases at once");
        assertEquals("interface down", actions.lastReason());
        assertFalse(router.hasDeadline());
        assertEquals(VrrpRouter.NO_DEADLINE, router.nextDeadline());
        assertNull(router.masterAddress());

        router.onAdvert(now, PEER, 0, 100);
        router.onAdvert(now, PEER, 200, 100);
        router.onTimer(now + 10 * SECOND);
        router.setFault(now, true, "still down");
        assertEquals(List.of(), actions.take(), "FAULT ignores adverts, ticks and a repeated fault");

        now += 5 * SECOND;
        router.setFault(now, false, "interface up");
        assertEquals(List.of("FAULT->BACKUP"), actions.take());
        assertEquals("interface up", actions.lastReason());
        assertEquals(now + MDI_100, router.nextDeadline());
    }

    @Test
    void v3BackupForgetsTheLearnedIntervalInFault() {
        startBackup(3, 100, true, 0);
        router.onAdvert(now, PEER, 150, 50);
        router.setFault(now, true, "interface down");
        router.setFault(now, false, "interface up");
        assertEquals(100, router.masterAdvertIntervalCentis());
        assertEquals(now + MDI_100, router.nextDeadline());
    }

    @Test
    void backupEntersFaultWithOnlyATransition() {
        startBackup(3, 100, true, 0);
        router.setFault(now, true, "check asterisk down");
        assertEquals(List.of("BACKUP->FAULT"), actions.take());
        router.setFault(now, false, "check asterisk up");
        router.setFault(now, false, "check asterisk up");
        assertEquals(List.of("FAULT->BACKUP"), actions.take());
    }

    @Test
    void ownerLeavesFaultAsMaster() {
        router = router(3, 255, 100, true, 0);
        router.start(now);
        router.setFault(now, true, "interface down", true);
        actions.take();
        router.setFault(now, false, "interface up");
        assertEquals(List.of("attach", "announce", "advert 255 100", "FAULT->MASTER"), actions.take());
    }

    @Test
    void aFaultFlaggedBeforeStartIsEnteredOnStart() {
        router = router(3, 100, 100, true, 0);
        router.setFault(now, true, "interface eth0 down");
        assertEquals(VrrpState.INIT, router.state());
        assertEquals(List.of(), actions.take());

        router.start(now);
        assertEquals(List.of("INIT->FAULT"), actions.take());
        assertEquals("interface eth0 down", actions.lastReason());
        router.setFault(now, false, "interface eth0 up");
        assertEquals(List.of("FAULT->BACKUP"), actions.take());
    }

    // ---- the rightful holder (the policy knows this router should hold the group) ----

    @Test
    void aRightfulRouterLeavingFaultAfterItsMasterResignedTakesTheGroupAtOnce() {
        startBackup(3, 100, true, 0);
        router.onAdvert(now, PEER, 150, 100);
        router.setFault(now, true, "database is a standby, not the primary");
        now += 20 * SECOND;
        router.onAdvert(now, PEER, 150, 100);
        router.onAdvert(now + 10 * MS, PEER, 0, 100);
        actions.take();

        now += 2 * SECOND;
        router.setRightful(now, true);
        assertEquals(List.of(), actions.take(), "in FAULT the router waits for the policy to clear it");
        router.setFault(now, false, "no longer in FAULT (database is a standby, not the primary before)");
        assertEquals(List.of("FAULT->BACKUP", "attach", "announce", "advert 100 100", "BACKUP->MASTER"), actions.take(),
                "no Master_Down_Interval: the master it heard resigned");
        assertEquals("rightful holder, no live master (192.0.2.2 resigned with priority 0)", actions.lastReason());
    }

    @Test
    void aRightfulRouterTakesAtOnceAfterOneSilentIntervalAndWaitsForALiveOne() {
        startBackup(3, 100, true, 0);
        router.setFault(now, true, "database is a standby, not the primary");
        now += 20 * SECOND;
        router.onAdvert(now, PEER, 150, 100);
        long lastAdvert = now;
        actions.take();

        now += 100 * MS;
        router.setRightful(now, true);
        router.setFault(now, false, "no longer in FAULT");
        assertEquals(List.of("FAULT->BACKUP"), actions.take(), "a master advertised 100 ms ago: alive");
        long liveUntil = lastAdvert + 2 * SECOND + SKEW_100;
        assertEquals(liveUntil, router.nextDeadline(), "its silence counts after two intervals plus Skew_Time");

        router.onAdvert(now + 500 * MS, PEER, 150, 100);
        assertEquals(List.of(), actions.take());
        assertEquals(now + 500 * MS + 2 * SECOND + SKEW_100, router.nextDeadline(), "a live master's advert re-arms it");
        assertEquals(PEER, router.masterAddress());

        router.onTimer(now + 500 * MS + 2 * SECOND + SKEW_100);
        assertEquals(List.of("attach", "announce", "advert 100 100", "BACKUP->MASTER"), actions.take());
    }

    @Test
    void aSilentPeerLongAgoMeansARightfulRouterTakesAtOnce() {
        startBackup(3, 100, true, 0);
        router.onAdvert(now, PEER, 150, 100);
        router.setFault(now, true, "database is a standby, not the primary");
        actions.take();
        now += 10 * SECOND; // the master's node lost power meanwhile
        router.setRightful(now, true);
        router.setFault(now, false, "no longer in FAULT");
        assertEquals(List.of("FAULT->BACKUP", "attach", "announce", "advert 100 100", "BACKUP->MASTER"), actions.take());
        assertEquals("rightful holder, no live master (nothing from 192.0.2.2 for two advert intervals)", actions.lastReason());
    }

    @Test
    void aRightfulBackupTakesOnAPriorityZeroAdvertWithoutTheSkewTime() {
        startBackup(3, 100, true, 0);
        router.onAdvert(now, PEER, 150, 100);
        router.setRightful(now, true);
        assertEquals(List.of(), actions.take(), "its master is alive");
        router.onAdvert(now + 5 * MS, PEER, 0, 100);
        assertEquals(List.of("attach", "announce", "advert 100 100", "BACKUP->MASTER"), actions.take());
    }

    @Test
    void aRightfulRouterJustStartedStillWaitsToHearAMaster() {
        router = router(3, 100, 100, true, 0);
        router.setRightful(now, true);
        router.start(now);
        assertEquals(List.of("INIT->BACKUP"), actions.take(), "nobody is known yet: the RFC's wait to hear a master");
        assertEquals(now + MDI_100, router.nextDeadline());
    }

    @Test
    void aPassiveRouterNeverTakesEvenWhenRightful() {
        startBackup(3, 100, true, 0);
        router.onAdvert(now, PEER, 150, 100);
        router.setPassive(now, true, "maintenance on", true);
        router.setRightful(now, true);
        router.onAdvert(now + MS, PEER, 0, 100);
        now += 10 * SECOND;
        router.onTimer(now);
        assertEquals(VrrpState.BACKUP, router.state());
        assertFalse(actions.take().contains("attach"));
        router.setPassive(now, false, "maintenance off", false);
        assertEquals(List.of("attach", "announce", "advert 100 100", "BACKUP->MASTER"), actions.take(),
                "back in the election with nobody alive: at once");
    }

    @Test
    void aRouterThatIsNotRightfulKeepsTheRfcWaitAfterAResignation() {
        startBackup(3, 100, true, 0);
        router.onAdvert(now, PEER, 150, 100);
        router.setFault(now, true, "database is a standby, not the primary");
        router.onAdvert(now + MS, PEER, 0, 100);
        actions.take();
        now += 2 * SECOND;
        router.setFault(now, false, "no longer in FAULT");
        assertEquals(List.of("FAULT->BACKUP"), actions.take());
        assertEquals(now + MDI_100, router.nextDeadline());
    }

    // ---- shutdown ----

    @Test
    void masterShutsDownWithAPriorityZeroAdvertAndCanStartAgain() {
        becomeMaster(0);
        router.shutdown(now);
        assertEquals(List.of("advert 0 100", "MASTER->INIT"), actions.take());
        assertEquals("shutdown", actions.lastReason());
        assertTrue(router.handingOver(), "make-before-break: the VIPs stay until a new master is heard");
        router.onAdvert(now + MS, PEER, 100, 100);
        assertEquals(List.of("release"), actions.take());
        assertEquals(Handover.TAKEN, router.lastHandover());
        assertEquals(PEER, router.takenBy());
        assertFalse(router.hasDeadline());

        router.shutdown(now);
        router.onAdvert(now, PEER, 200, 100);
        router.onTimer(now + 100 * SECOND);
        assertEquals(List.of(), actions.take(), "INIT ignores everything but start()");

        router.start(now);
        assertEquals(List.of("INIT->BACKUP"), actions.take());
    }

    @Test
    void backupShutsDownWithOnlyATransition() {
        startBackup(3, 100, true, 0);
        router.shutdown(now);
        assertEquals(List.of("BACKUP->INIT"), actions.take());
    }

    // ---- make-before-break ----

    @Test
    void aFaultHandsTheVipsOverUntilTheNewMasterIsHeard() {
        becomeMaster(0);
        router.setFault(now, true, "probe svc down");
        assertEquals(List.of("advert 0 100", "MASTER->FAULT"), actions.take());
        assertTrue(actions.vipsHeld);
        assertEquals(Handover.PENDING, router.lastHandover());

        router.onAdvert(now, PEER, 0, 100);
        assertEquals(List.of(), actions.take(), "another priority-0 advert is nobody taking over");
        router.onAdvert(now + 60 * MS, PEER, 100, 100);
        assertEquals(List.of("release"), actions.take());
        assertFalse(actions.vipsHeld);
        assertEquals(VrrpState.FAULT, router.state());
        assertFalse(router.hasDeadline(), "FAULT runs no timer once the handover ended");
    }

    @Test
    void aHandoverRepeatsItsPriorityZeroAdvertEveryIntervalAndReleasesAtTheBound() {
        becomeMaster(0);
        long start = now;
        router.shutdown(now);
        actions.take();
        assertEquals(start + SECOND, router.nextDeadline());
        router.onTimer(start + SECOND);
        router.onTimer(start + 2 * SECOND);
        router.onTimer(start + 3 * SECOND);
        assertEquals(List.of("advert 0 100", "advert 0 100", "advert 0 100"), actions.take());
        long bound = router.handoverBoundNanos();
        assertEquals(3 * SECOND + SECOND * 255 / 256, bound);
        assertEquals(start + bound, router.nextDeadline());
        router.onTimer(start + bound - 1);
        assertEquals(List.of(), actions.take(), "an early tick does nothing");
        router.onTimer(start + bound);
        assertEquals(List.of("release"), actions.take());
        assertEquals(Handover.RELEASED_UNTAKEN, router.lastHandover());
        assertNull(router.takenBy());
        assertFalse(router.hasDeadline());
    }

    @Test
    void aLinkThatGoesDownDuringAHandoverReleasesAtOnce() {
        becomeMaster(0);
        router.setFault(now, true, "probe svc down");
        actions.take();
        router.setFault(now + MS, true, "interface eth0 down", true);
        assertEquals(List.of("release"), actions.take());
        assertFalse(router.handingOver());
    }

    @Test
    void releaseNowEndsAHandoverThatCannotWait() {
        becomeMaster(0);
        router.shutdown(now);
        actions.take();
        router.releaseNow(now + MS);
        assertEquals(List.of("release"), actions.take());
        router.releaseNow(now + 2 * MS);
        assertEquals(List.of(), actions.take(), "nothing left to release");
    }

    @Test
    void aRecoveredBackupThatTakesTheGroupBackDuringItsHandoverDoesNotAttachTwice() {
        becomeMaster(0);
        router.setFault(now, true, "probe svc down");
        router.setFault(now + MS, false, "probe svc up");
        assertEquals(List.of("advert 0 100", "MASTER->FAULT", "FAULT->BACKUP"), actions.take());
        assertTrue(router.handingOver());
        router.onTimer(router.nextDeadline()); // the first repeat of the priority-0 advert
        router.onTimer(now + MS + MDI_100);
        List<String> calls = actions.take();
        assertEquals(List.of("announce", "advert 100 100", "BACKUP->MASTER"), calls.subList(calls.size() - 3, calls.size()));
        assertFalse(router.handingOver());
        assertTrue(actions.vipsHeld);
    }

    // ---- maintenance (passive) ----

    @Test
    void aPassiveMasterResignsAndHandsOver() {
        becomeMaster(0);
        router.setPassive(now, true, "maintenance on", true);
        assertEquals(List.of("advert 0 100", "MASTER->BACKUP"), actions.take());
        assertEquals("maintenance on", actions.lastReason());
        router.onAdvert(now + 70 * MS, PEER, 100, 100);
        assertEquals(List.of("release"), actions.take());
        assertEquals(Handover.TAKEN, router.lastHandover());
        assertEquals(PEER, router.masterAddress());
        assertFalse(router.hasDeadline(), "a passive backup never takes over");
        router.onAdvert(now + 200 * MS, PEER, 0, 100);
        assertFalse(router.hasDeadline(), "not even when the master resigns");
        router.onAdvert(now + 300 * MS, PEER, 50, 100);
        assertEquals(VrrpState.BACKUP, router.state());
        assertEquals(List.of(), actions.take(), "nor preempts a lower master");
        assertEquals(50, router.masterPriority(), "it follows the lower master instead");
    }

    @Test
    void aPassiveMasterThatNobodyTakesOverKeepsServingWhenAskedTo() {
        becomeMaster(0);
        long start = now;
        router.setPassive(now, true, "maintenance on", true);
        actions.take();
        router.onTimer(start + router.handoverBoundNanos());
        assertEquals(List.of("announce", "advert 100 100", "BACKUP->MASTER"), actions.take(), "no release, no second attach");
        assertEquals(Handover.KEPT_UNTAKEN, router.lastHandover());
        assertFalse(router.passive());
        assertTrue(actions.vipsHeld);
    }

    @Test
    void aForcedPassiveMasterThatNobodyTakesOverReleases() {
        becomeMaster(0);
        long start = now;
        router.setPassive(now, true, "maintenance on --force", false);
        actions.take();
        router.onTimer(start + router.handoverBoundNanos());
        assertEquals(List.of("release"), actions.take());
        assertEquals(VrrpState.BACKUP, router.state());
        assertTrue(router.passive());
        assertFalse(router.hasDeadline());
    }

    @Test
    void leavingMaintenanceReentersTheElection() {
        startBackup(3, 100, true, 0);
        router.setPassive(now, true, "maintenance on", true);
        assertFalse(router.hasDeadline());
        router.setPassive(now, false, "maintenance off", true);
        assertEquals(now + MDI_100, router.nextDeadline());
        router.onTimer(now + MDI_100);
        assertEquals(VrrpState.MASTER, router.state());
    }

    @Test
    void aPassiveOwnerStartsAsBackup() {
        router = router(3, 255, 100, true, 0);
        router.setPassive(now, true, "maintenance on", true);
        router.start(now);
        assertEquals(List.of("INIT->BACKUP"), actions.take());
        assertFalse(router.hasDeadline());
    }

    // ---- the contract with the I/O side ----

    @Test
    void aTickFromInsideAnActionFindsNothingDue() {
        router = router(3, 100, 100, true, 0);
        actions.onAnnounce = () -> router.onTimer(now);
        router.start(now);
        now += MDI_100;
        router.onTimer(now);
        assertEquals(List.of("INIT->BACKUP", "attach", "announce", "advert 100 100", "BACKUP->MASTER"), actions.take());
    }

    @Test
    void advertAndTimerPathsAllocateNothing() throws Exception {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());

        CountingActions counting = new CountingActions();
        VrrpRouter master = new VrrpRouter(new RouterConfig(51, 3, 100, 100, true, 0, OURS), counting);
        VrrpRouter backup = new VrrpRouter(new RouterConfig(51, 3, 50, 100, true, 0, PEER), counting);
        master.start(0);
        master.onTimer(master.nextDeadline());
        backup.start(0);
        InetAddress lower = ip("192.0.2.1");

        long t = master.nextDeadline();
        t = exercise(master, backup, lower, t, 20_000);
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        exercise(master, backup, lower, t, 100_000);
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated over 100000 rounds");
        assertEquals(VrrpState.MASTER, master.state());
        assertEquals(VrrpState.BACKUP, backup.state());
        assertTrue(counting.adverts > 200_000);
    }

    private static long exercise(VrrpRouter master, VrrpRouter backup, InetAddress lower, long t, int rounds) {
        for (int i = 0; i < rounds; i++) {
            t += 10 * MS;
            master.onTimer(t);
            master.onAdvert(t, lower, 50, 100);
            master.onAdvert(t, lower, 100, 100);
            master.onAdvert(t, lower, 0, 100);
            backup.onAdvert(t, OURS, 100, 100);
            backup.onTimer(t);
            master.onTimer(t - 1);
            t = master.nextDeadline();
        }
        return t;
    }

    private static final class CountingActions implements RouterActions {
        long adverts;

        @Override
        public void sendAdvert(long now, int priority, int advertIntervalCentis) {
            adverts++;
        }

        @Override
        public void attachVips(long now) { }

        @Override
        public void announceVips(long now) { }

        @Override
        public void releaseVips(long now) { }

        @Override
        public void transition(long now, VrrpState from, VrrpState to, String reason) { }
    }

    // ---- helpers ----

    // ---- an action that throws ----

    @Test
    void anActionThatThrowsStillLetsTheChangeFinishAndReachesTheCaller() {
        router = router(3, 100, 100, true, 0);
        now = 5 * SECOND;
        router.start(now);
        actions.take();
        actions.attachFailure = new IllegalStateException("netlink said no");

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> router.onTimer(now + MDI_100));

        assertEquals("netlink said no", thrown.getMessage());
        assertEquals(VrrpState.MASTER, router.state(), "the state change is complete");
        assertEquals(List.of("attach", "announce", "advert 100 100", "BACKUP->MASTER"), actions.take(),
                "the actions after the failing one ran, and the transition was reported");
        assertTrue(router.hasDeadline());
        assertEquals(now + MDI_100 + SECOND, router.nextDeadline(), "the Adver_Timer is armed");

        actions.attachFailure = null;
        router.onTimer(now + MDI_100 + SECOND);
        assertEquals(List.of("advert 100 100"), actions.take(), "nothing of the failure is left over for the next input");
    }

    @Test
    void everyActionCarriesTheNowOfItsInput() {
        router = router(3, 100, 100, true, 0);
        router.start(-7);
        router.onTimer(-7 + MDI_100);
        assertEquals(List.of(-7L, -7 + MDI_100, -7 + MDI_100), actions.times, "transition, attach, transition");
    }


    private VrrpRouter router(int version, int priority, int intervalCentis, boolean preempt, long preemptDelay) {
        return new VrrpRouter(new RouterConfig(51, version, priority, intervalCentis, preempt, preemptDelay, OURS), actions);
    }

    private void startBackup(int version, int priority, boolean preempt, long preemptDelay) {
        router = router(version, priority, 100, preempt, preemptDelay);
        router.start(now);
        actions.take();
    }

    /** Priority 100, v3, 1 s: started at {@code origin}, MASTER after its Master_Down_Interval. */
    private void becomeMaster(long origin) {
        router = router(3, 100, 100, true, 0);
        now = origin;
        router.start(now);
        now += MDI_100;
        router.onTimer(now);
        assertEquals(VrrpState.MASTER, router.state());
        actions.take();
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
