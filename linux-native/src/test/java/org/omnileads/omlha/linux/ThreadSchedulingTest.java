package org.omnileads.omlha.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Real system calls on fresh threads (never the test runner's own); SCHED_FIFO needs root, hence the lab tag. */
@Tag("lab")
class ThreadSchedulingTest {

    @Test
    void aThreadGoesRealtimeAndWhatItStartsDoesNot() throws Exception {
        AtomicReference<ThreadScheduling.Outcome> outcome = new AtomicReference<>();
        AtomicReference<String> childPolicy = new AtomicReference<>();
        AtomicReference<Boolean> resets = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            outcome.set(ThreadScheduling.useRealtime(10));
            resets.set(ThreadScheduling.resetsOnFork());
            Thread child = new Thread(() -> childPolicy.set(ThreadScheduling.currentPolicy()));
            child.start();
            join(child);
            ThreadScheduling.useNormal();
        });
        thread.start();
        thread.join(10_000);

        assertEquals("SCHED_FIFO", outcome.get().policy());
        assertEquals(10, outcome.get().priority());
        assertTrue(outcome.get().realtime());
        assertNull(outcome.get().problem());
        assertTrue(resets.get(), "SCHED_RESET_ON_FORK set");
        assertEquals("SCHED_OTHER", childPolicy.get(), "a thread started by the real-time thread");
    }

    @Test
    void theRestOfTheProcessIsUntouched() throws Exception {
        Thread thread = new Thread(() -> {
            ThreadScheduling.useRealtime(5);
        });
        thread.start();
        thread.join(10_000);
        assertEquals("SCHED_OTHER", ThreadScheduling.currentPolicy());
    }

    @Test
    void onlyLinuxPrioritiesAreAsked() {
        // The kernel's own refusal (EPERM without CAP_SYS_NICE or RLIMIT_RTPRIO) is shown end to end by an agent run as
        // an unprivileged user (src/test); this process is root.
        assertThrows(IllegalArgumentException.class, () -> ThreadScheduling.useRealtime(0));
        assertThrows(IllegalArgumentException.class, () -> ThreadScheduling.useRealtime(100));
        assertFalse(new ThreadScheduling.Outcome("SCHED_OTHER", 0, "refused").realtime());
        assertEquals("SCHED_OTHER (refused)", new ThreadScheduling.Outcome("SCHED_OTHER", 0, "refused").toString());
        assertEquals("SCHED_FIFO 10", new ThreadScheduling.Outcome("SCHED_FIFO", 10, null).toString());
    }

    private static void join(Thread thread) {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
