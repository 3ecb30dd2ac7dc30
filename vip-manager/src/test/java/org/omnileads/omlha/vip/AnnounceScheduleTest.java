package org.omnileads.omlha.vip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AnnounceScheduleTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    /** Clock origins at and around the edges of the long range: deadlines must be compared by difference. */
    @ParameterizedTest
    @ValueSource(longs = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, Long.MAX_VALUE - 3_000_000_000L, Long.MAX_VALUE})
    void keepalivedDefaults(long t0) {
        AnnounceSchedule schedule = new AnnounceSchedule(AnnounceSettings.DEFAULTS);
        assertFalse(schedule.hasDeadline());
        assertEquals(0, schedule.due(t0));

        schedule.start(t0);
        assertTrue(schedule.hasDeadline());
        assertEquals(t0, schedule.nextDeadline());
        assertEquals(0, schedule.due(t0 - 1));
        assertEquals(5, schedule.due(t0));
        assertEquals(t0 + 5 * S, schedule.nextDeadline());
        assertEquals(0, schedule.due(t0 + 5 * S - 1));
        assertEquals(5, schedule.due(t0 + 5 * S));
        assertFalse(schedule.hasDeadline());
        assertEquals(0, schedule.due(t0 + 100 * S));
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE - 300_000_000L, Long.MAX_VALUE})
    void spacedFramesAreDueOneAtATime(long t0) {
        AnnounceSchedule schedule = new AnnounceSchedule(new AnnounceSettings(3, 200 * MS, 0, 0, 1));
        schedule.start(t0);
        assertEquals(1, schedule.due(t0));
        assertEquals(t0 + 200 * MS, schedule.nextDeadline());
        assertEquals(0, schedule.due(t0 + 199 * MS));
        assertEquals(1, schedule.due(t0 + 200 * MS));
        assertEquals(t0 + 400 * MS, schedule.nextDeadline());
        assertEquals(1, schedule.due(t0 + 400 * MS));
        assertFalse(schedule.hasDeadline());
    }

    @Test
    void overdueFramesOfABurstAreDueTogether() {
        AnnounceSchedule schedule = new AnnounceSchedule(new AnnounceSettings(3, 200 * MS, 0, 0, 1));
        schedule.start(0);
        assertEquals(3, schedule.due(450 * MS));
        assertFalse(schedule.hasDeadline());
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MIN_VALUE, 0, Long.MAX_VALUE - 15 * 1_000_000_000L, Long.MAX_VALUE})
    void periodicRefresh(long t0) {
        AnnounceSchedule schedule = new AnnounceSchedule(new AnnounceSettings(5, 0, 0, 10 * S, 2));
        schedule.start(t0);
        assertEquals(5, schedule.due(t0));
        for (int period = 1; period <= 4; period++) {
            long at = t0 + period * 10 * S;
            assertEquals(at, schedule.nextDeadline());
            assertEquals(0, schedule.due(at - 1));
            assertEquals(2, schedule.due(at));
        }
        assertTrue(schedule.hasDeadline());
    }

    @Test
    void missedRefreshPeriodsCollapseIntoOneBurst() {
        AnnounceSchedule schedule = new AnnounceSchedule(new AnnounceSettings(5, 0, 0, 10 * S, 1));
        schedule.start(0);
        assertEquals(5, schedule.due(0));
        assertEquals(1, schedule.due(55 * S));   // the burst due at 10 s, late
        assertEquals(60 * S, schedule.nextDeadline());
        assertEquals(0, schedule.due(59 * S));
        assertEquals(1, schedule.due(60 * S));
        assertEquals(70 * S, schedule.nextDeadline());
    }

    @Test
    void refreshBurstsAndTheSecondBurstInterleaveInTimeOrder() {
        AnnounceSchedule schedule = new AnnounceSchedule(new AnnounceSettings(5, 0, 5 * S, 2 * S, 1));
        schedule.start(0);
        assertEquals(5, schedule.due(0));
        assertEquals(2 * S, schedule.nextDeadline());
        assertEquals(1, schedule.due(2 * S));
        assertEquals(4 * S, schedule.nextDeadline());
        assertEquals(1, schedule.due(4 * S));
        assertEquals(5 * S, schedule.nextDeadline());
        assertEquals(5, schedule.due(5 * S));
        assertEquals(6 * S, schedule.nextDeadline());
        assertEquals(1, schedule.due(6 * S));
        assertEquals(8 * S, schedule.nextDeadline());
    }

    @Test
    void aRefreshAtTheTimeOfTheSecondBurstIsAbsorbedByIt() {
        AnnounceSchedule schedule = new AnnounceSchedule(new AnnounceSettings(5, 0, 4 * S, 2 * S, 1));
        schedule.start(0);
        assertEquals(5, schedule.due(0));
        assertEquals(1, schedule.due(2 * S));
        assertEquals(4 * S, schedule.nextDeadline());
        assertEquals(5, schedule.due(4 * S));
        assertEquals(6 * S, schedule.nextDeadline());
    }

    @Test
    void aSecondBurstDueDuringALongFirstBurstFollowsIt() {
        AnnounceSchedule schedule = new AnnounceSchedule(new AnnounceSettings(3, 2 * S, 3 * S, 0, 1));
        schedule.start(0);
        assertEquals(1, schedule.due(0));
        assertEquals(1, schedule.due(2 * S));
        assertEquals(1, schedule.due(4 * S));
        assertEquals(4 * S, schedule.nextDeadline());
        assertEquals(1, schedule.due(4 * S));
        assertEquals(6 * S, schedule.nextDeadline());
    }

    @Test
    void stopClearsTheDeadlineAndStartBeginsAgain() {
        AnnounceSchedule schedule = new AnnounceSchedule(AnnounceSettings.DEFAULTS);
        schedule.start(0);
        assertEquals(5, schedule.due(0));
        schedule.stop();
        assertFalse(schedule.hasDeadline());
        assertThrows(IllegalStateException.class, schedule::nextDeadline);
        assertEquals(0, schedule.due(5 * S));
        schedule.start(7 * S);
        assertEquals(7 * S, schedule.nextDeadline());
        assertEquals(5, schedule.due(7 * S));
        assertEquals(12 * S, schedule.nextDeadline());
    }

    @Test
    void restartingWhileRunningStartsOver() {
        AnnounceSchedule schedule = new AnnounceSchedule(new AnnounceSettings(3, S, 0, 0, 1));
        schedule.start(0);
        assertEquals(1, schedule.due(0));
        schedule.start(10 * S);
        assertEquals(10 * S, schedule.nextDeadline());
        assertEquals(3, schedule.due(12 * S));
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new AnnounceSettings(0, 0, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new AnnounceSettings(1, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new AnnounceSettings(1, -1, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new AnnounceSettings(1, 0, -1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new AnnounceSettings(1, 0, 0, -1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AnnounceSettings(Integer.MAX_VALUE, Long.MAX_VALUE / 2, 0, 0, 1));
        assertTrue(e.getMessage().contains("too long"), e.getMessage());
    }

    /**
     * Whatever the origin and however often the loop wakes up (never later than the deadline), the defaults
     * send exactly two bursts of five, the second one not before five seconds.
     */
    @Property(tries = 500)
    void defaultsSendTwoBurstsWhateverTheWakeUps(@ForAll long t0, @ForAll @LongRange(min = 1, max = 2_000_000_000L) long step,
                                                 @ForAll @IntRange(min = 0, max = 3) int earlyWakeUps) {
        AnnounceSchedule schedule = new AnnounceSchedule(AnnounceSettings.DEFAULTS);
        schedule.start(t0);
        long now = t0;
        int sent = 0;
        int sentBeforeFiveSeconds = 0;
        for (int wakeUps = 0; schedule.hasDeadline() && wakeUps < 10_000; wakeUps++) {
            long deadline = schedule.nextDeadline();
            long early = deadline - now > step ? now + step : deadline;
            now = wakeUps % 4 < earlyWakeUps ? early : deadline;
            int due = schedule.due(now);
            assertTrue(due >= 0 && due <= 5);
            sent += due;
            if (now - t0 < 5 * S) {
                sentBeforeFiveSeconds += due;
            }
        }
        assertFalse(schedule.hasDeadline());
        assertEquals(10, sent);
        assertEquals(5, sentBeforeFiveSeconds);
    }
}
