package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProbeSchedulerTimingTest {
    private static final long INTERVAL = 1_000;
    private static final long SPACING = 50;

    @ParameterizedTest
    @ValueSource(longs = {0, -1_500, Long.MAX_VALUE - 1_500, Long.MIN_VALUE})
    void nextCheckStartsAnIntervalAfterThePreviousStartedWithoutDrift(long origin) {
        ProbeSchedulerTiming timing = new ProbeSchedulerTiming(INTERVAL, SPACING);
        timing.started(origin);
        assertEquals(origin + INTERVAL, timing.finished(true, true));
        timing.started(origin + INTERVAL + 7);
        assertEquals(origin + 2 * INTERVAL + 7, timing.finished(true, true), "measured from the late start, not the deadline");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MAX_VALUE - 500, Long.MIN_VALUE})
    void aCheckLongerThanTheIntervalIsFollowedAtOnce(long origin) {
        ProbeSchedulerTiming timing = new ProbeSchedulerTiming(INTERVAL, SPACING);
        timing.started(origin);
        long deadline = timing.finished(false, false);
        long finishedAt = origin + 3 * INTERVAL;
        assertTrue(deadline - finishedAt < 0, "deadline in the past: start at once");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MAX_VALUE - 2_500, Long.MIN_VALUE, -1_000})
    void aCloseWatchChecksEveryFewMomentsForItsWindowOnlyThenTheIntervalIsBack(long origin) {
        ProbeSchedulerTiming timing = new ProbeSchedulerTiming(INTERVAL, SPACING);
        timing.started(origin);
        assertEquals(origin + INTERVAL, timing.finished(true, true));
        assertTrue(timing.closely(origin + 300, origin + 300 + 100, 20), "the next check moves earlier");
        assertEquals(origin + 20, timing.deadline(), "already due: at once");
        long start = origin + 300;
        for (int i = 0; i < 5; i++) {
            timing.started(start);
            assertEquals(start + 20, timing.finished(true, true), "every 20 within the window");
            start += 20;
        }
        timing.started(start);
        assertEquals(start + INTERVAL, timing.finished(true, true), "the window ended at +400: back to the interval");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MAX_VALUE - 2_500, Long.MIN_VALUE})
    void aCloseWatchAskedDuringACheckOrEndedEarlyWaitsForThatChecksEnd(long origin) {
        ProbeSchedulerTiming timing = new ProbeSchedulerTiming(INTERVAL, SPACING);
        timing.started(origin);
        assertFalse(timing.closely(origin + 1, origin + 10_000, 20), "a check runs: its end picks the window up");
        assertEquals(origin + 20, timing.finished(true, true));
        assertFalse(timing.closely(origin + 30, origin + 30, 20), "an empty window ends the watch");
        timing.started(origin + 40);
        assertEquals(origin + 40 + INTERVAL, timing.finished(true, true));
        assertFalse(timing.closely(origin + 50, origin + 5_000, 5_000), "never slower than the interval");
        timing.started(origin + 60);
        assertEquals(origin + 60 + INTERVAL, timing.finished(true, true));
        assertThrows(IllegalArgumentException.class, () -> timing.closely(origin, origin + 10, 0));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MAX_VALUE - 100, Long.MIN_VALUE})
    void anEventMovesTheNextCheckToNow(long origin) {
        ProbeSchedulerTiming timing = new ProbeSchedulerTiming(INTERVAL, SPACING);
        timing.started(origin);
        timing.finished(true, true);
        assertTrue(timing.watched(origin + 300));
        assertEquals(origin + SPACING, timing.deadline(), "already past at 300: at once");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MAX_VALUE - 10, Long.MIN_VALUE})
    void eventsDuringACheckAreCoalescedIntoOneRecheck(long origin) {
        ProbeSchedulerTiming timing = new ProbeSchedulerTiming(INTERVAL, SPACING);
        timing.started(origin);
        for (int i = 0; i < 5; i++) {
            assertFalse(timing.watched(origin + i), "remembered, not started: one check at a time");
        }
        assertEquals(origin + SPACING, timing.finished(true, true), "one early re-check");
        timing.started(origin + SPACING);
        assertEquals(origin + SPACING + INTERVAL, timing.finished(true, true), "then periodic again");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MAX_VALUE - 10, Long.MIN_VALUE})
    void atMostOneEventDrivenCheckPerInterval(long origin) {
        ProbeSchedulerTiming timing = new ProbeSchedulerTiming(INTERVAL, SPACING);
        timing.started(origin);
        timing.finished(true, true);
        assertTrue(timing.watched(origin + 100));
        timing.started(origin + 100);
        timing.finished(true, true);
        assertFalse(timing.watched(origin + 200), "an event-driven check started 100 ns ago");
        assertEquals(origin + 100 + INTERVAL, timing.deadline());
        assertFalse(timing.watched(origin + 100 + INTERVAL - 1));
        timing.started(origin + 100 + INTERVAL);
        timing.finished(true, true);
        assertTrue(timing.watched(origin + 100 + INTERVAL + 1), "a new interval");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MAX_VALUE - 10, Long.MIN_VALUE})
    void aProbeWithSeveralSourcesGetsThatManyEventDrivenChecksPerInterval(long origin) {
        ProbeSchedulerTiming timing = new ProbeSchedulerTiming(INTERVAL, SPACING, 3);
        timing.started(origin);
        timing.finished(true, true);
        long now = origin;
        for (int i = 1; i <= 3; i++) {
            now += SPACING;
            assertTrue(timing.watched(now), "event " + i + " of 3 in this interval");
            assertEquals(now, timing.deadline());
            timing.started(now);
            timing.finished(true, true);
        }
        assertFalse(timing.watched(now + 1), "a fourth within the interval of the first");
        assertTrue(timing.watched(origin + SPACING + INTERVAL), "the first event-driven check is an interval old");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MAX_VALUE - 10, Long.MIN_VALUE})
    void afterAnEventFailuresAreConfirmedQuicklyUntilTheStateGoesDown(long origin) {
        ProbeSchedulerTiming timing = new ProbeSchedulerTiming(INTERVAL, SPACING);
        timing.started(origin);
        timing.finished(true, true);
        assertTrue(timing.watched(origin + 500));
        long t = origin + 500;
        timing.started(t);
        assertEquals(t + SPACING, timing.finished(false, true), "fall 1 of 3");
        t += SPACING;
        timing.started(t);
        assertEquals(t + SPACING, timing.finished(false, true), "fall 2 of 3");
        t += SPACING;
        timing.started(t);
        assertEquals(t + INTERVAL, timing.finished(false, false), "down: periodic again");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MIN_VALUE})
    void confirmingStopsWhenACheckIsUp(long origin) {
        ProbeSchedulerTiming timing = new ProbeSchedulerTiming(INTERVAL, SPACING);
        timing.started(origin);
        timing.finished(true, true);
        timing.watched(origin + 500);
        timing.started(origin + 500);
        timing.finished(false, true);
        timing.started(origin + 550);
        assertEquals(origin + 550 + INTERVAL, timing.finished(true, true));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MIN_VALUE})
    void aFailureWithoutAnEventWaitsForTheInterval(long origin) {
        ProbeSchedulerTiming timing = new ProbeSchedulerTiming(INTERVAL, SPACING);
        timing.started(origin);
        assertEquals(origin + INTERVAL, timing.finished(false, true), "fall counts at the configured interval");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MIN_VALUE})
    void anEventBeforeTheFirstCheckChangesNothing(long origin) {
        ProbeSchedulerTiming timing = new ProbeSchedulerTiming(INTERVAL, SPACING);
        assertFalse(timing.watched(origin));
        timing.started(origin);
        assertEquals(origin + INTERVAL, timing.finished(true, true));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MIN_VALUE})
    void spacingNeverExceedsTheInterval(long origin) {
        ProbeSchedulerTiming timing = new ProbeSchedulerTiming(10, 50);
        timing.started(origin);
        timing.watched(origin + 1);
        assertEquals(origin + 10, timing.finished(true, true));
    }

    @ParameterizedTest
    @ValueSource(longs = {0})
    void rejectsCallsOutOfOrder(long origin) {
        ProbeSchedulerTiming timing = new ProbeSchedulerTiming(INTERVAL, SPACING);
        assertThrows(IllegalStateException.class, () -> timing.finished(true, true));
        timing.started(origin);
        assertThrows(IllegalStateException.class, () -> timing.started(origin));
    }

    /** Whatever the events, no check is ever due earlier than spacing after the previous start. */
    @Property
    void neverSoonerThanSpacingAfterTheLastStart(@ForAll @LongRange(min = Long.MIN_VALUE, max = Long.MAX_VALUE) long origin,
                                                 @ForAll("events") List<Integer> events) {
        ProbeSchedulerTiming timing = new ProbeSchedulerTiming(INTERVAL, SPACING);
        long now = origin;
        long lastStart = origin;
        timing.started(now);
        for (int event : events) {
            now += event % 97;
            switch (event % 4) {
                case 0 -> timing.watched(now);
                case 1, 2 -> {
                    if (timing.running()) {
                        long deadline = timing.finished(event % 8 < 4, event % 16 < 8);
                        assertTrue(deadline - lastStart >= SPACING, "deadline " + (deadline - lastStart) + " after start");
                        assertTrue(deadline - lastStart <= INTERVAL);
                    }
                }
                default -> {
                    if (!timing.running()) {
                        long start = now - timing.deadline() < 0 ? timing.deadline() : now;
                        now = start;
                        lastStart = start;
                        timing.started(start);
                    }
                }
            }
        }
    }

    @Provide
    Arbitrary<List<Integer>> events() {
        return Arbitraries.integers().between(0, 10_000).list().ofMaxSize(200);
    }
}
