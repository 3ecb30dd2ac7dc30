package org.omnileads.omlha.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Why the kernel refused SCHED_FIFO with EPERM, in one sentence that names the cause and what to change. It has two
 * halves: {@link #read} takes the facts from /proc and /sys/fs/cgroup at the moment of the refusal, {@link #explain}
 * turns facts into the sentence and does nothing else (so the tests give it any facts, unreadable ones included).
 *
 * <p>The kernel (sched_setscheduler) refuses SCHED_FIFO at priority p when
 * <ul>
 *   <li>the thread lacks CAP_SYS_NICE (in the initial user namespace) and its soft RLIMIT_RTPRIO is below p, or</li>
 *   <li>the kernel has CONFIG_RT_GROUP_SCHED and the thread's cpu cgroup has a real-time budget of 0
 *       (cpu.rt_runtime_us; on cgroup v1 every new child cgroup starts with 0), whatever the thread's rights, or</li>
 *   <li>a seccomp filter forbids it (systemd's RestrictRealtime=yes).</li>
 * </ul>
 */
public final class RealtimeRefusal {
    /** What the shipped unit (packaging/systemd/omlha-agent.service) sets, and so what the remedies ask for. */
    static final int SHIPPED_LIMIT = 99;
    private static final int CAP_SYS_NICE = 23;
    private static final int CAP_SYS_RESOURCE = 24;

    private RealtimeRefusal() {
    }

    /** A resource limit's soft and hard values; {@link Long#MAX_VALUE} is "unlimited". */
    public record Limit(long soft, long hard) {
        static String text(long value) {
            return value == Long.MAX_VALUE ? "unlimited" : Long.toString(value);
        }
    }

    /**
     * The cpu cgroup of this process: its {@code path} as /proc/self/cgroup names it, the hierarchy's {@code version}
     * (1 or 2) and its cpu.rt_runtime_us, null where there is no such file (cgroup v2, a kernel without
     * CONFIG_RT_GROUP_SCHED) or it could not be read.
     */
    public record CpuCgroup(String path, int version, Long rtRuntimeUs) {
        String describe() {
            return version == 2 ? "the cpu cgroup " + path + " (cgroup v2)"
                    : "the cpu cgroup " + path + " (cgroup v1" + (rtRuntimeUs == null ? ")" : ", cpu.rt_runtime_us " + rtRuntimeUs + ")");
        }
    }

    /**
     * PID 1, the service manager under systemd: its RLIMIT_RTPRIO and whether it has CAP_SYS_RESOURCE. With that
     * capability it sets a unit's LimitRTPRIO= whatever its own limit; without it (a container's systemd) it can give
     * no more than its own hard limit.
     */
    public record ServiceManager(Limit rtprio, Boolean capSysResource) {
        boolean couldGive(int priority) {
            return Boolean.TRUE.equals(capSysResource) || rtprio != null && rtprio.hard() >= priority;
        }
    }

    /**
     * Everything the sentence depends on. Null is "could not be read".
     *
     * @param priority       the SCHED_FIFO priority asked for
     * @param rtprio         this process's RLIMIT_RTPRIO
     * @param capSysNice     whether CapEff has CAP_SYS_NICE
     * @param userNamespace  whether the process runs in a user namespace, where its CAP_SYS_NICE does not count
     * @param underSystemd   whether systemd started this very process (a service's main process)
     * @param manager        PID 1, the service manager under systemd
     * @param cpuCgroup      the cpu cgroup this process is in
     */
    public record Facts(int priority, Limit rtprio, Boolean capSysNice, Boolean userNamespace, boolean underSystemd,
            ServiceManager manager, CpuCgroup cpuCgroup) {
    }

    /** The sentence for a refusal: "SCHED_FIFO 10 refused: " and why, with what to change. */
    public static String explain(Facts facts) {
        int p = facts.priority();
        String refused = "SCHED_FIFO " + p + " refused: ";
        CpuCgroup cgroup = facts.cpuCgroup();
        boolean noBudget = cgroup != null && cgroup.version() == 1 && Long.valueOf(0).equals(cgroup.rtRuntimeUs());
        boolean capCounts = Boolean.TRUE.equals(facts.capSysNice()) && !Boolean.TRUE.equals(facts.userNamespace());
        Limit rtprio = facts.rtprio();

        if (!capCounts && rtprio != null && rtprio.soft() < p) {
            String also = noBudget ? "; besides, the cpu cgroup " + cgroup.path() + " has cpu.rt_runtime_us 0" : "";
            return refused + withoutPermission(facts) + also;
        }
        if (noBudget) {
            return refused + withoutBudget(facts);
        }
        if (capCounts || rtprio != null) {
            String allowedBy = capCounts ? "CAP_SYS_NICE" : "RLIMIT_RTPRIO " + Limit.text(rtprio.soft());
            String where = cgroup == null ? "" : " in " + cgroup.describe();
            String v2 = cgroup != null && cgroup.version() == 2
                    ? "a kernel with CONFIG_RT_GROUP_SCHED gives cgroup v2's child cgroups no real-time budget, or " : "";
            return refused + "Operation not permitted although " + allowedBy + " allows it" + where + ": " + v2
                    + "a seccomp filter forbids it (systemd: RestrictRealtime=yes in a drop-in)";
        }
        // Neither the limit nor the capabilities could be read: the causes, as a list.
        return refused + "Operation not permitted: needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least " + p
                + " (systemd: LimitRTPRIO=), and a cgroup with a real-time budget (kernels with CONFIG_RT_GROUP_SCHED give"
                + " child cgroups none)";
    }

    /** Soft RLIMIT_RTPRIO below the priority and no CAP_SYS_NICE that counts: where the limit has to come from. */
    private static String withoutPermission(Facts facts) {
        int p = facts.priority();
        Limit rtprio = facts.rtprio();
        String limit = "RLIMIT_RTPRIO is " + Limit.text(rtprio.soft()) + " (hard " + Limit.text(rtprio.hard()) + ")"
                + (facts.capSysNice() == null ? "" : facts.capSysNice() ? ", CAP_SYS_NICE only in a user namespace (it does not count)"
                        : ", no CAP_SYS_NICE");
        if (rtprio.hard() >= p) {
            return limit + ": raise the soft limit (LimitRTPRIO=" + SHIPPED_LIMIT + " in the unit, `ulimit -r " + SHIPPED_LIMIT
                    + "` in a shell)";
        }
        if (!facts.underSystemd()) {
            return limit + ": run it with LimitRTPRIO=" + SHIPPED_LIMIT + " (the shipped unit), `prlimit --rtprio=" + SHIPPED_LIMIT
                    + "`, or as root";
        }
        ServiceManager manager = facts.manager();
        if (manager != null && manager.couldGive(p)) {
            return limit + ", which systemd could raise: the unit or a drop-in sets LimitRTPRIO= below " + p
                    + " (the shipped unit has LimitRTPRIO=" + SHIPPED_LIMIT + "; see `systemctl cat omlha-agent`)";
        }
        String managerLimit = manager == null || manager.rtprio() == null ? "as low" : Limit.text(manager.rtprio().hard());
        // Unknown facts about PID 1 read as this case too: by far the most common one (systemd-nspawn, LXC, docker).
        return limit + ": systemd cannot apply the unit's LimitRTPRIO=" + SHIPPED_LIMIT + " (its own hard limit is " + managerLimit
                + ", no CAP_SYS_RESOURCE: a container). The host must give it: systemd-nspawn --rlimit=RLIMIT_RTPRIO=" + SHIPPED_LIMIT
                + ", docker/podman run --ulimit rtprio=" + SHIPPED_LIMIT + ", LXC lxc.prlimit.rtprio = " + SHIPPED_LIMIT + " (or CAP_SYS_NICE)";
    }

    /** The right to real-time is there, but the cgroup v1 cpu cgroup has a budget of 0. */
    private static String withoutBudget(Facts facts) {
        CpuCgroup cgroup = facts.cpuCgroup();
        if (cgroup.path().equals("/")) {
            // The root cgroup's budget is the sysctl's (default 950000 per 1000000 us).
            return "the root cpu cgroup has cpu.rt_runtime_us 0 (sysctl kernel.sched_rt_runtime_us = 0): set it back to 950000,"
                    + " the kernel's default";
        }
        String cause = "the cpu cgroup " + cgroup.path() + " has cpu.rt_runtime_us 0 (cgroup v1, kernel with CONFIG_RT_GROUP_SCHED): ";
        if (facts.underSystemd()) {
            return cause + "the unit's ExecStartPre= `omlha-agent realtime-budget` gives it one; `journalctl -u omlha-agent` says"
                    + " why it could not (in a container the host must)";
        }
        return cause + "`omlha-agent realtime-budget` run as root in that cgroup gives it one (the shipped unit runs it before"
                + " the start), or start the agent in a cgroup with a budget";
    }

    /** The facts of the calling process, now. */
    public static Facts read(int priority) {
        return read(priority, Path.of("/proc"), Path.of("/sys/fs/cgroup"), System.getenv(), ProcessHandle.current().pid());
    }

    /** The facts from a /proc and a /sys/fs/cgroup tree (the tests give a made-up one), for the process {@code pid}. */
    static Facts read(int priority, Path proc, Path cgroupfs, Map<String, String> env, long pid) {
        Path self = proc.resolve("self");
        ServiceManager manager = new ServiceManager(rtprio(readOrNull(proc.resolve("1/limits"))),
                hasCapability(readOrNull(proc.resolve("1/status")), CAP_SYS_RESOURCE));
        return new Facts(priority, rtprio(readOrNull(self.resolve("limits"))), hasCapability(readOrNull(self.resolve("status")), CAP_SYS_NICE),
                userNamespace(readOrNull(self.resolve("uid_map"))), underSystemd(env, pid), manager,
                cpuCgroup(readOrNull(self.resolve("cgroup")), cgroupfs));
    }

    /** "Max realtime priority" of proc(5)'s limits file: soft and hard; null where missing or garbled. */
    static Limit rtprio(String limits) {
        if (limits == null) {
            return null;
        }
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max realtime priority")) {
                String[] values = line.substring("Max realtime priority".length()).trim().split("\\s+");
                Long soft = values.length >= 2 ? limitValue(values[0]) : null;
                Long hard = values.length >= 2 ? limitValue(values[1]) : null;
                return soft == null || hard == null ? null : new Limit(soft, hard);
            }
        }
        return null;
    }

    private static Long limitValue(String text) {
        if (text.equals("unlimited")) {
            return Long.MAX_VALUE;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Whether the CapEff line of proc(5)'s status file has the capability; null where missing or garbled. */
    static Boolean hasCapability(String status, int capability) {
        if (status == null) {
            return null;
        }
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) {
                try {
                    return (Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16) & (1L << capability)) != 0;
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** The initial user namespace maps every uid to itself ("0 0 4294967295"); anything else is a user namespace. */
    static Boolean userNamespace(String uidMap) {
        if (uidMap == null || uidMap.isBlank()) {
            return null;
        }
        return !String.join(" ", uidMap.trim().split("\\s+")).equals("0 0 4294967295");
    }

    /**
     * Whether systemd started this very process. INVOCATION_ID alone would also be true for anything a service starts
     * (a CI runner's test agents); systemd 248 and later name the process they started in SYSTEMD_EXEC_PID, which the
     * launcher keeps (it execs the JVM).
     */
    static boolean underSystemd(Map<String, String> env, long pid) {
        String execPid = env.get("SYSTEMD_EXEC_PID");
        if (execPid != null) {
            return execPid.equals(Long.toString(pid));
        }
        return env.get("INVOCATION_ID") != null;
    }

    /**
     * The cpu cgroup from proc(5)'s cgroup file: the cgroup v1 line whose controllers include cpu ("4:cpu,cpuacct:/x"),
     * else the v2 line ("0::/x"); with cpu.rt_runtime_us of a v1 one, read where systemd and the kernel mount it.
     */
    static CpuCgroup cpuCgroup(String procCgroup, Path cgroupfs) {
        if (procCgroup == null) {
            return null;
        }
        String v2 = null;
        for (String line : procCgroup.split("\n")) {
            String[] fields = line.split(":", 3);
            if (fields.length < 3 || !fields[2].startsWith("/")) {
                continue;
            }
            if (List.of(fields[1].split(",")).contains("cpu")) {
                return new CpuCgroup(fields[2], 1, rtRuntime(fields[2], cgroupfs));
            }
            if (fields[0].equals("0") && fields[1].isEmpty()) {
                v2 = fields[2];
            }
        }
        return v2 == null ? null : new CpuCgroup(v2, 2, null);
    }

    private static Long rtRuntime(String path, Path cgroupfs) {
        for (String mount : new String[] {"cpu,cpuacct", "cpu"}) {
            Path file = cgroupfs.resolve(mount + path).resolve("cpu.rt_runtime_us");
            String text = readOrNull(file);
            if (text != null) {
                try {
                    return Long.parseLong(text.trim());
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static String readOrNull(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
