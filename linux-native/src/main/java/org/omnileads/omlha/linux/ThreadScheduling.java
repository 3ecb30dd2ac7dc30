package org.omnileads.omlha.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The calling thread's CPU scheduling class (sched(7)). The VRRP loop asks for SCHED_FIFO: a thread of that class
 * runs as soon as it wakes, ahead of every ordinary (SCHED_OTHER) thread, so an advert leaves on time even when
 * every core is busy. SCHED_RESET_ON_FORK goes with it: threads the loop starts and processes it spawns (notify
 * scripts) begin at SCHED_OTHER, never real-time by inheritance.
 */
public final class ThreadScheduling {
    /** The highest SCHED_FIFO priority Linux accepts. */
    public static final int MAX_PRIORITY = 99;

    private ThreadScheduling() {
    }

    /**
     * What the calling thread runs at after a request: {@code policy} as sched(7) names it, {@code priority} (0 for
     * SCHED_OTHER), and {@code problem}, why real-time was refused, or null.
     */
    public record Outcome(String policy, int priority, String problem) {
        public boolean realtime() {
            return policy.equals("SCHED_FIFO");
        }

        @Override
        public String toString() {
            return realtime() ? policy + " " + priority : problem == null ? policy : policy + " (" + problem + ")";
        }
    }

    /**
     * Puts the calling thread at SCHED_FIFO {@code priority} (1..99). A refusal is not thrown: the thread stays where it
     * was and the outcome says why and what to change ({@link RealtimeRefusal}).
     */
    public static Outcome useRealtime(int priority) {
        if (priority < 1 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("real-time priority " + priority + " is not in 1.." + MAX_PRIORITY);
        }
        ByteBuffer param = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, priority);
        int result = Native.LIBC.sched_setscheduler(0, Linux.SCHED_FIFO | Linux.SCHED_RESET_ON_FORK, param);
        if (result < 0) {
            int errno = Native.errno();
            String problem = errno == Linux.EPERM
                    ? RealtimeRefusal.explain(RealtimeRefusal.read(priority)) // the facts as they are now
                    : "SCHED_FIFO " + priority + " refused: " + Native.describe(errno);
            return new Outcome(currentPolicy(), 0, problem);
        }
        return new Outcome(currentPolicy(), priority, null);
    }

    /** Back to SCHED_OTHER for the calling thread (always allowed). */
    public static Outcome useNormal() {
        ByteBuffer param = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, 0);
        Native.check(Native.LIBC.sched_setscheduler(0, Linux.SCHED_OTHER, param), "sched_setscheduler(SCHED_OTHER)");
        return new Outcome(currentPolicy(), 0, null);
    }

    /** The calling thread's policy as sched(7) names it: SCHED_OTHER, SCHED_FIFO, SCHED_RR, ... */
    public static String currentPolicy() {
        int policy = Native.check(Native.LIBC.sched_getscheduler(0), "sched_getscheduler(0)") & ~Linux.SCHED_RESET_ON_FORK;
        return switch (policy) {
            case 0 -> "SCHED_OTHER";
            case 1 -> "SCHED_FIFO";
            case 2 -> "SCHED_RR";
            case 3 -> "SCHED_BATCH";
            case 5 -> "SCHED_IDLE";
            case 6 -> "SCHED_DEADLINE";
            default -> "policy " + policy;
        };
    }

    /** Whether the calling thread's policy carries SCHED_RESET_ON_FORK. */
    public static boolean resetsOnFork() {
        return (Native.check(Native.LIBC.sched_getscheduler(0), "sched_getscheduler(0)") & Linux.SCHED_RESET_ON_FORK) != 0;
    }
}
