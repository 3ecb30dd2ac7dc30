package org.omnileads.omlha.agent;

import java.lang.management.ManagementFactory;
import org.omnileads.omlha.agent.status.AgentStatus;
import org.omnileads.omlha.linux.ThreadScheduling;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VRRP loop thread's scheduling and allocations: it asks for SCHED_FIFO when it starts, and counts the bytes it
 * allocates on its VRRP paths (timers, sends, receives) apart from what commands (status, probe events, reloads)
 * allocate on it. Used only by the loop thread.
 */
final class LoopThreadStats {
    private static final Logger log = LoggerFactory.getLogger(LoopThreadStats.class);

    private final int realtimePriority;
    private ThreadScheduling.Outcome scheduling = new ThreadScheduling.Outcome("SCHED_OTHER", 0, null);
    /** Counts this thread's allocations where the JVM can (HotSpot can); null elsewhere. */
    private final com.sun.management.ThreadMXBean allocations = allocationCounter();
    private long commandAllocatedBytes;
    private long commandStartedAt;

    /** @param realtimePriority the SCHED_FIFO priority for the loop thread, 0 for ordinary scheduling */
    LoopThreadStats(int realtimePriority) {
        this.realtimePriority = realtimePriority;
    }

    /**
     * SCHED_FIFO for the calling thread, so adverts leave on time when every core is busy; refused (no CAP_SYS_NICE nor
     * LimitRTPRIO, a cgroup without real-time budget), the loop carries on at ordinary scheduling and says why.
     */
    void applyScheduling() {
        if (realtimePriority == 0) {
            log.info("VRRP loop at ordinary scheduling (realtime-priority = 0)");
            return;
        }
        scheduling = ThreadScheduling.useRealtime(realtimePriority);
        if (scheduling.realtime()) {
            log.info("VRRP loop at {}", scheduling);
        } else {
            log.warn("VRRP loop at ordinary scheduling, adverts may be late when the CPUs are busy: {}", scheduling.problem());
        }
    }

    /** Before a command runs on the loop: what it allocates is not the loop's own. */
    void commandStarts() {
        commandStartedAt = allocatedBytes();
    }

    void commandEnds() {
        commandAllocatedBytes += allocatedBytes() - commandStartedAt;
    }

    /** For status; called on the loop thread, inside a command. */
    AgentStatus.LoopStatus status() {
        long allocated = allocatedBytes();
        long commandSoFar = allocated - commandStartedAt; // this very status query, not the loop's either
        return new AgentStatus.LoopStatus(scheduling.policy(), scheduling.priority(), scheduling.problem(),
                allocated < 0 ? -1 : allocated - commandAllocatedBytes - commandSoFar);
    }

    /** Bytes this thread allocated since it started, or -1 where that is not counted. */
    private long allocatedBytes() {
        return allocations == null ? -1 : allocations.getCurrentThreadAllocatedBytes();
    }

    private static com.sun.management.ThreadMXBean allocationCounter() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean counter
                && counter.isThreadAllocatedMemorySupported() && counter.isThreadAllocatedMemoryEnabled()) {
            return counter;
        }
        return null;
    }
}
