package org.omnileads.omlha.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReloadRequestsTest {

    @Test
    void requestsDuringAReloadFoldIntoExactlyOneMoreWhichRunsAfterTheLastRequest() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch firstStarted = new CountDownLatch(1);
        Semaphore release = new Semaphore(0);
        ReloadRequests requests = new ReloadRequests(() -> {
            runs.incrementAndGet();
            firstStarted.countDown();
            release.acquireUninterruptibly();
        });
        // The first SIGHUP's handler thread reloads, and is held inside the reload.
        Thread first = new Thread(requests::request, "SIGHUP handler");
        first.start();
        assertTrue(firstStarted.await(5, TimeUnit.SECONDS), "the first reload starts");
        for (int i = 0; i < 39; i++) {
            requests.request(); // a burst of SIGHUPs while the first reload runs: each returns at once
        }
        assertEquals(1, runs.get(), "the burst did not reload beside the running reload");

        release.release(2);
        first.join(5_000);
        assertEquals(2, runs.get(), "39 requests during a reload make one more reload, on the reloading thread, not 39");

        release.release();
        requests.request();
        assertEquals(3, runs.get(), "a later request reloads again, at once");
    }
}
