package org.omnileads.omlha.vrrp.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;

/** The poller over eventfds standing in for sockets (no root needed). A hang means a missed wake-up. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PollerTest {
    private final List<Integer> fds = new ArrayList<>();
    private final Poller poller = new Poller();

    @AfterEach
    void closeAll() {
        poller.close();
        fds.forEach(Native.LIBC::close);
    }

    @Test
    void timesOutWithNothingReady() {
        int fd = eventFd();
        poller.register(fd);
        assertEquals(0, poller.await(0));
        assertEquals(0, poller.await(300_000L));
        assertFalse(poller.isReadable(fd));
    }

    @Test
    void reportsExactlyTheReadableFds() {
        int quiet = eventFd();
        int busy = eventFd();
        poller.register(quiet);
        poller.register(busy);
        signal(busy);
        assertEquals(1, poller.await(-1));
        assertTrue(poller.isReadable(busy));
        assertFalse(poller.isReadable(quiet));
    }

    @Test
    void aWakeupFromAnotherThreadEndsAnUnboundedWait() throws Exception {
        int fd = eventFd();
        poller.register(fd);
        CountDownLatch started = new CountDownLatch(1);
        Thread waker = new Thread(() -> {
            awaitQuietly(started);
            poller.wakeup();
        });
        waker.start();
        started.countDown();
        assertEquals(0, poller.await(-1));
        assertFalse(poller.isReadable(fd));
        waker.join();
    }

    @Test
    void aWakeupIsConsumedByOneAwait() {
        poller.wakeup();
        poller.wakeup();
        assertEquals(0, poller.await(-1));
        int fd = eventFd();
        poller.register(fd);
        signal(fd);
        assertEquals(1, poller.await(-1), "a stale wake-up was counted as a ready fd");
    }

    @Test
    void anUnregisteredFdIsNoLongerWatched() {
        int first = eventFd();
        int second = eventFd();
        poller.register(first);
        poller.register(second);
        poller.unregister(first);
        poller.unregister(12345);
        signal(first);
        signal(second);
        assertEquals(1, poller.await(0));
        assertFalse(poller.isReadable(first));
        assertTrue(poller.isReadable(second));
    }

    @Test
    void growsBeyondItsInitialCapacity() {
        List<Integer> ready = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int fd = eventFd();
            poller.register(fd);
            if (i % 3 == 0) {
                signal(fd);
                ready.add(fd);
            }
        }
        assertEquals(ready.size(), poller.await(0));
        ready.forEach(fd -> assertTrue(poller.isReadable(fd), "fd " + fd));
    }

    @Test
    void refusesMisuseWithClearErrors() {
        int fd = eventFd();
        poller.register(fd);
        assertThrows(IllegalArgumentException.class, () -> poller.register(fd));
        assertThrows(IllegalArgumentException.class, () -> poller.register(-1));
        poller.close();
        poller.close();
        poller.wakeup();
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> poller.await(0));
        assertEquals("poller is closed", closed.getMessage());
    }

    private int eventFd() {
        int fd = Native.check(Native.LIBC.eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC), "eventfd");
        fds.add(fd);
        return fd;
    }

    private static void signal(int fd) {
        ByteBuffer one = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).putLong(0, 1);
        Native.check(Native.LIBC.write(fd, one, 8), "write(eventfd)");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
