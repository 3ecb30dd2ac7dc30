package org.omnileads.omlha.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The threads of a process as proc(5) shows them: scheduling from {@code task/<tid>/stat}, CPU from {@code schedstat}. */
final class ThreadStats {
    private ThreadStats() {
    }

    /**
     * One thread: its policy (sched(7) number: 0 SCHED_OTHER, 1 SCHED_FIFO, ...), real-time priority and nice value,
     * and the CPU time it has run and how many times it was scheduled in.
     */
    record ThreadStat(long tid, String name, int policy, int rtPriority, int nice, long runNanos, long slices) {
    }

    /** Every thread of {@code process} that still exists when read; empty when the process is gone. */
    static List<ThreadStat> of(ProcessHandle process) {
        List<ThreadStat> threads = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/" + process.pid() + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    // fields[0] is field 3 (state): nice is field 19, rt_priority 40, policy 41.
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    String[] sched = Files.readString(task.resolve("schedstat")).trim().split(" ");
                    threads.add(new ThreadStat(Long.parseLong(task.getFileName().toString()), name, Integer.parseInt(fields[38]),
                            Integer.parseInt(fields[37]), Integer.parseInt(fields[16]), Long.parseLong(sched[0]), Long.parseLong(sched[2])));
                } catch (IOException gone) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException gone) {
            // the process ended
        }
        return threads;
    }
}
