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
        Semaphore finished = new Semaphore(0);
        try (ReloadRequests requests = new ReloadRequests(() -> {
            runs.incrementAndGet();
            firstStarted.countDown();
            release.acquireUninterruptibly();
            finished.release();
        })) {
            requests.request();
            assertTrue(firstStarted.await(5, TimeUnit.SECONDS), "the first reload starts");
            for (int i = 0; i < 39; i++) {
                requests.request(); // a burst of SIGHUPs while the first reload runs
            }
            release.release(2);
            assertTrue(finished.tryAcquire(2, 5, TimeUnit.SECONDS), "the first reload and one more ran");
            assertEquals(2, runs.get(), "39 requests during a reload make one more reload, not 39");

            requests.request();
            release.release();
            assertTrue(finished.tryAcquire(1, 5, TimeUnit.SECONDS), "a later request reloads again");
            assertEquals(3, runs.get());
        }
    }
}
