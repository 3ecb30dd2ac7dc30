package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProbeSchedulerTest {
    private static final Duration SHORT = Duration.ofMillis(1);
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration LONG_TIMEOUT = Duration.ofSeconds(30);

    private final BlockingQueue<Change> changes = new LinkedBlockingQueue<>();
    private final ProbeScheduler scheduler = new ProbeScheduler((probe, up, result) -> changes.add(new Change(probe, up, result)));

    record Change(String probe, boolean up, ProbeResult result) {
    }

    /** A probe whose checks the test completes by hand. */
    static class FakeProbe implements Probe {
        final String name;
        final BlockingQueue<CompletableFuture<ProbeResult>> checks = new LinkedBlockingQueue<>();
        final AtomicInteger started = new AtomicInteger();
        final CountDownLatch closed = new CountDownLatch(1);
        volatile Runnable watcher;

        FakeProbe(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public CompletableFuture<ProbeResult> check() {
            started.incrementAndGet();
            CompletableFuture<ProbeResult> check = new CompletableFuture<>();
            checks.add(check);
            return check;
        }

        @Override
        public void watch(Runnable changed) {
            watcher = changed;
        }

        @Override
        public void close() {
            closed.countDown();
        }

        CompletableFuture<ProbeResult> nextCheck() throws InterruptedException {
            CompletableFuture<ProbeResult> check = checks.poll(10, TimeUnit.SECONDS);
            assertNotNull(check, "probe " + name + " was not checked within 10 s");
            return check;
        }

        void answer(boolean up) throws InterruptedException {
            nextCheck().complete(up ? ProbeResult.up(1, "fine") : ProbeResult.down(1, "broken"));
        }
    }

    @AfterEach
    void closeScheduler() {
        scheduler.close();
    }

    private Change nextChange() throws InterruptedException {
        Change change = changes.poll(10, TimeUnit.SECONDS);
        assertNotNull(change, "no change reported within 10 s");
        return change;
    }

    @Test
    void appliesRiseAndFallAndReportsOnlyChanges() throws InterruptedException {
        FakeProbe probe = new FakeProbe("web");
        scheduler.add(probe, SHORT, LONG_TIMEOUT, 2, 2);
        scheduler.start();

        probe.answer(true);
        Change first = nextChange();
        assertEquals("web", first.probe());
        assertTrue(first.up(), "the first result decides at once");

        probe.answer(false);
        probe.answer(true);
        probe.answer(false);
        probe.nextCheck().complete(ProbeResult.down(1, "HTTP 503, expected 200"));
        Change down = nextChange();
        assertFalse(down.up());
        assertEquals("HTTP 503, expected 200", down.result().detail());

        probe.answer(true);
        probe.nextCheck(); // the sixth check started: the fifth's change, if any, was reported before
        assertNull(changes.poll(), "one success of rise 2 changes nothing; nor did the lone failure before");
    }

    @Test
    void aProbeThatIgnoresItsTimeoutIsReportedTimedOut() throws InterruptedException {
        FakeProbe probe = new FakeProbe("hung");
        scheduler.add(probe, HOUR, Duration.ofMillis(100), 1, 1);
        scheduler.start();

        CompletableFuture<ProbeResult> hung = probe.nextCheck();
        Change change = nextChange();
        assertFalse(change.up());
        assertEquals("timed out after 100 ms", change.result().detail());
        assertTrue(hung.isCancelled(), "the probe is told to give up");
        ProbeSnapshot snapshot = scheduler.snapshots().get(0);
        assertEquals("timed out after 100 ms", snapshot.lastFailure());
        assertNotNull(snapshot.lastFailureAt());
    }

    @Test
    void aProbeThatBlocksInCheckDelaysNeitherItsTimeoutNorOtherProbes() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Probe blocking = new FakeProbe("blocking") {
            @Override
            public CompletableFuture<ProbeResult> check() {
                started.incrementAndGet();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return CompletableFuture.completedFuture(ProbeResult.up(1, "late"));
            }
        };
        FakeProbe other = new FakeProbe("other");
        try {
            scheduler.add(blocking, SHORT, Duration.ofMillis(100), 1, 1);
            scheduler.add(other, SHORT, LONG_TIMEOUT, 1, 1);
            scheduler.start();
            other.answer(true);
            Map<String, Change> first = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                Change change = nextChange();
                first.put(change.probe(), change);
            }
            assertTrue(first.get("other").up(), "the other probe is not held up");
            assertEquals("timed out after 100 ms", first.get("blocking").result().detail());
            other.answer(true);
            other.nextCheck(); // the scheduler carries on
            assertEquals(1, ((FakeProbe) blocking).started.get(), "no second call while the first has not returned");
        } finally {
            release.countDown();
        }
    }

    @Test
    void aCheckThatThrowsOrFailsIsDownWithTheReason() throws InterruptedException {
        Probe throwing = new FakeProbe("throwing") {
            @Override
            public CompletableFuture<ProbeResult> check() {
                throw new IllegalStateException("boom");
            }
        };
        scheduler.add(throwing, HOUR, LONG_TIMEOUT, 1, 1);
        FakeProbe failing = new FakeProbe("failing");
        scheduler.add(failing, HOUR, LONG_TIMEOUT, 1, 1);
        scheduler.start();
        failing.nextCheck().completeExceptionally(new java.io.IOException("disk on fire"));

        List<String> details = List.of(nextChange().result().detail(), nextChange().result().detail());
        assertTrue(details.contains("probe failed: IllegalStateException: boom"), details.toString());
        assertTrue(details.contains("probe failed: IOException: disk on fire"), details.toString());
    }

    @Test
    void theWatchCallbackTriggersAnImmediateRecheck() throws InterruptedException {
        FakeProbe probe = new FakeProbe("haproxy");
        scheduler.add(probe, HOUR, LONG_TIMEOUT, 1, 1);
        scheduler.start();
        probe.answer(true);
        assertTrue(nextChange().up());

        probe.watcher.run();
        probe.nextCheck().complete(ProbeResult.down(1, "connection refused"));
        Change change = nextChange();
        assertFalse(change.up(), "the next check came from the event, not the hourly interval");
        assertEquals(2, probe.started.get());
    }

    @Test
    void aCloseWatchChecksEveryFewMillisecondsUntilItIsEndedAndSnapshotsSaySo() throws InterruptedException {
        FakeProbe probe = new FakeProbe("pg");
        scheduler.add(probe, HOUR, LONG_TIMEOUT, 1, 1);
        scheduler.start();
        probe.answer(true);
        assertTrue(nextChange().up());
        assertEquals(null, scheduler.snapshots().get(0).closeWatchMillisLeft(), "at its interval");

        assertTrue(scheduler.watchClosely("pg", Duration.ofMinutes(10), Duration.ofMillis(5)));
        for (int i = 0; i < 3; i++) {
            probe.answer(true); // each within 10 s, not the hourly interval
        }
        Long left = scheduler.snapshots().get(0).closeWatchMillisLeft();
        assertTrue(left != null && left > 500_000 && left <= 600_000, "watched closely, about 10 min left: " + left);

        assertTrue(scheduler.watchClosely("pg", Duration.ZERO, Duration.ofMillis(5)));
        // A check the window had already scheduled may still come (the end and the last result race on the probe's
        // thread); after it, none: the hourly interval is back.
        CompletableFuture<ProbeResult> alreadyDue = probe.checks.poll(300, TimeUnit.MILLISECONDS);
        if (alreadyDue != null) {
            alreadyDue.complete(ProbeResult.up(1, "fine"));
        }
        assertNull(probe.checks.poll(300, TimeUnit.MILLISECONDS), "back at its hourly interval");
        assertEquals(null, scheduler.snapshots().get(0).closeWatchMillisLeft());
        assertFalse(scheduler.watchClosely("nosuch", Duration.ofSeconds(1), Duration.ofMillis(5)), "not a probe of this scheduler");
    }

    @Test
    void anEventDuringACheckIsFollowedByOneRecheckAndAFallIsConfirmedQuickly() throws InterruptedException {
        FakeProbe probe = new FakeProbe("ami");
        scheduler.add(probe, HOUR, LONG_TIMEOUT, 1, 3);
        scheduler.start();
        CompletableFuture<ProbeResult> first = probe.nextCheck();
        first.complete(ProbeResult.up(1, "fine"));
        assertTrue(nextChange().up());

        probe.watcher.run();
        CompletableFuture<ProbeResult> second = probe.nextCheck();
        for (int i = 0; i < 5; i++) {
            probe.watcher.run();
        }
        second.complete(ProbeResult.down(1, "connection closed"));
        probe.answer(false);
        probe.answer(false);
        Change change = nextChange();
        assertFalse(change.up(), "fall 3 reached without waiting three hours");
        assertEquals(4, probe.started.get());
    }

    @Test
    void snapshotsSayWhyAProbeWasDownAndCount() throws InterruptedException {
        FakeProbe probe = new FakeProbe("pg");
        scheduler.add(probe, SHORT, LONG_TIMEOUT, 1, 1);
        assertEquals(List.of(new ProbeSnapshot("pg", false, false, null, null, null, 0, 0)), scheduler.snapshots());
        scheduler.start();
        probe.nextCheck().complete(ProbeResult.down(1, "connection refused"));
        nextChange();
        probe.answer(true);
        nextChange();
        probe.nextCheck();

        ProbeSnapshot snapshot = scheduler.snapshots().get(0);
        assertTrue(snapshot.known());
        assertTrue(snapshot.up());
        assertEquals("fine", snapshot.lastResult().detail());
        assertEquals("connection refused", snapshot.lastFailure(), "the last failure is kept after recovery");
        assertEquals(2, snapshot.checks());
        assertEquals(1, snapshot.failures());
    }

    @Test
    void aFailingListenerDoesNotStopTheProbe() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        FakeProbe probe = new FakeProbe("x");
        try (ProbeScheduler failing = new ProbeScheduler((name, up, result) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("listener bug");
        })) {
            failing.add(probe, SHORT, LONG_TIMEOUT, 1, 1);
            failing.start();
            probe.answer(true);
            probe.answer(false);
            probe.nextCheck();
            assertEquals(2, calls.get());
        }
    }

    @Test
    void aProbeAddedAfterStartRunsAtOnce() throws InterruptedException {
        scheduler.start();
        FakeProbe probe = new FakeProbe("late");
        scheduler.add(probe, HOUR, LONG_TIMEOUT, 1, 1);
        probe.answer(true);
        assertTrue(nextChange().up());
    }

    @Test
    void rejectsBadSettings() {
        FakeProbe probe = new FakeProbe("p");
        assertThrows(IllegalArgumentException.class, () -> scheduler.add(probe, Duration.ZERO, LONG_TIMEOUT, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> scheduler.add(probe, SHORT, Duration.ofMillis(-1), 1, 1));
        assertThrows(IllegalArgumentException.class, () -> scheduler.add(probe, SHORT, LONG_TIMEOUT, 0, 1));
        scheduler.add(probe, SHORT, LONG_TIMEOUT, 1, 1);
        assertEquals("probe p is already scheduled",
                assertThrows(IllegalArgumentException.class, () -> scheduler.add(new FakeProbe("p"), SHORT, LONG_TIMEOUT, 1, 1))
                        .getMessage());
    }

    @Test
    void closeStopsThreadsClosesProbesAndSilencesTheListener() throws InterruptedException {
        FakeProbe probe = new FakeProbe("closing");
        scheduler.add(probe, SHORT, LONG_TIMEOUT, 1, 1);
        scheduler.start();
        CompletableFuture<ProbeResult> inFlight = probe.nextCheck();
        assertTrue(probeThreadAlive("probe-closing"));

        scheduler.close();

        assertTrue(probe.closed.await(0, TimeUnit.SECONDS), "probe closed");
        assertFalse(probeThreadAlive("probe-closing"), "thread stopped before close returned");
        inFlight.complete(ProbeResult.up(1, "too late"));
        assertNull(changes.poll(), "no listener call after close");
        assertThrows(IllegalStateException.class, () -> scheduler.add(new FakeProbe("q"), SHORT, LONG_TIMEOUT, 1, 1));
        probe.watcher.run(); // harmless after close
        scheduler.close();
    }

    private static boolean probeThreadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
