package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The path every probe shares: the closed probe, the hand-over to its thread, the timeout and the duration. */
class AbstractProbeTest {
    private static final Duration TIMEOUT = Duration.ofMillis(100);

    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopLoop() {
        loop.shutdownNow();
    }

    /** A probe whose check does what the test says; counts its starts and releases. */
    private static final class Scripted extends AbstractProbe {
        final AtomicInteger begun = new AtomicInteger();
        final AtomicInteger released = new AtomicInteger();
        final Consumer<Check> script;

        Scripted(Consumer<Check> script) {
            this(TIMEOUT, script);
        }

        Scripted(Duration timeout, Consumer<Check> script) {
            super("scripted", timeout);
            this.script = script;
        }

        @Override
        void begin(Check check) {
            begun.incrementAndGet();
            script.accept(check);
        }

        @Override
        void release() {
            released.incrementAndGet();
        }
    }

    private static ProbeResult await(Probe probe) throws Exception {
        return probe.check().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aClosedProbeAnswersDownAtOnceWithoutStartingACheck() throws Exception {
        Scripted probe = new Scripted(check -> check.up("never"));
        probe.close();
        probe.close();

        ProbeResult result = await(probe);

        assertEquals(ProbeResult.down(0, "probe closed"), result);
        assertEquals(0, probe.begun.get());
        assertEquals(1, probe.released.get(), "released once, however often it is closed");
    }

    @Test
    void aThreadThatRefusesTheCheckMeansTheProbeClosed() throws Exception {
        Scripted probe = new Scripted(check -> {
            throw new RejectedExecutionException("shut down");
        });

        ProbeResult result = await(probe);

        assertFalse(result.up());
        assertEquals("probe closed", result.detail());
    }

    @Test
    void workQueuedBeforeCloseAnswersDownWhenItRuns() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        loop.execute(() -> awaitQuietly(hold));
        Scripted[] probe = new Scripted[1];
        probe[0] = new Scripted(check -> probe[0].execute(loop, check, () -> check.up("ran")));

        var pending = probe[0].check();
        probe[0].close();
        hold.countDown();

        assertEquals("probe closed", pending.get(5, TimeUnit.SECONDS).detail());
    }

    @Test
    void anAnswerCarriesTheDurationSinceTheStart() throws Exception {
        Scripted probe = new Scripted(check -> loop.schedule(() -> check.up("slow"), 30, TimeUnit.MILLISECONDS));

        ProbeResult result = await(probe);

        assertTrue(result.up());
        assertTrue(result.durationNanos() >= TimeUnit.MILLISECONDS.toNanos(30), () -> result.durationNanos() + " ns");
    }

    @Test
    void aTimeoutIsReportedInItsWordsWithItsDuration() throws Exception {
        Scripted probe = new Scripted(check -> check.onTimeout(loop, () -> check.down(check.timedOut())));

        ProbeResult result = await(probe);

        assertEquals("timed out after 100 ms", result.detail());
        assertTrue(result.durationNanos() >= TIMEOUT.toNanos(), () -> result.durationNanos() + " ns");
        assertTrue(result.durationNanos() < TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(2), () -> result.durationNanos() + " ns");
    }

    @Test
    void theSharedTimerTimesOutToo() throws Exception {
        Scripted probe = new Scripted(check -> check.onTimeout(() -> check.down(check.timedOut())));

        ProbeResult result = await(probe);

        assertEquals("timed out after 100 ms", result.detail());
        assertTrue(result.durationNanos() >= TIMEOUT.toNanos(), () -> result.durationNanos() + " ns");
    }

    @Test
    void anAnswerBeforeTheTimeoutCancelsIt() throws Exception {
        AtomicInteger expired = new AtomicInteger();
        Duration timeout = Duration.ofMillis(500); // the answer must come first, even on a busy machine
        Scripted probe = new Scripted(timeout, check -> {
            check.onTimeout(loop, expired::incrementAndGet);
            check.onTimeout(expired::incrementAndGet);
            check.up("quick");
        });

        assertTrue(await(probe).up());
        Thread.sleep(timeout.toMillis() + 300);
        assertEquals(0, expired.get());
    }

    @Test
    void aCancelledCheckStillRunsItsTimeoutForCleanUp() throws Exception {
        CountDownLatch expired = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        Scripted probe = new Scripted(check -> {
            check.onTimeout(loop, expired::countDown);
            check.onCancel(cancelled::countDown);
        });

        var result = probe.check();
        result.cancel(true);

        assertTrue(cancelled.await(1, TimeUnit.SECONDS), "onCancel ran");
        assertTrue(expired.await(2, TimeUnit.SECONDS), "the timeout still ran");
    }

    @Test
    void theFirstAnswerWins() throws Exception {
        Scripted probe = new Scripted(check -> {
            assertTrue(check.down("first"));
            assertFalse(check.up("second"));
        });

        assertEquals("first", await(probe).detail());
    }

    @Test
    void aFailingWatchCallbackIsContained() {
        Scripted probe = new Scripted(check -> { });
        AtomicInteger calls = new AtomicInteger();
        probe.watch(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("boom");
        });

        probe.changed();

        assertEquals(1, calls.get());
    }

    @Test
    void theTimeoutMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TcpProbe("t", "127.0.0.1:1", Duration.ZERO));
        assertEquals("probe t: timeout must be positive, got PT0S", e.getMessage());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
