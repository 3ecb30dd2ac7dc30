package org.omnileads.omlha.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnileads.omlha.linux.RealtimeRefusal.CpuCgroup;
import org.omnileads.omlha.linux.RealtimeRefusal.Facts;
import org.omnileads.omlha.linux.RealtimeRefusal.Limit;
import org.omnileads.omlha.linux.RealtimeRefusal.ServiceManager;

/** The sentence for each cause, from made-up facts, and the facts from made-up /proc and /sys/fs/cgroup trees. */
class RealtimeRefusalTest {
    private static final Limit ZERO = new Limit(0, 0);
    private static final Limit SHIPPED = new Limit(99, 99);
    private static final CpuCgroup SERVICE_V2 = new CpuCgroup("/system.slice/omlha-agent.service", 2, null);
    private static final CpuCgroup SERVICE_V1_NO_BUDGET = new CpuCgroup("/system.slice/omlha-agent.service", 1, 0L);
    private static final CpuCgroup ROOT_V1 = new CpuCgroup("/", 1, 950_000L);
    /** systemd in a container: no CAP_SYS_RESOURCE, and the hard limit it was started with. */
    private static final ServiceManager CONTAINER_SYSTEMD = new ServiceManager(ZERO, false);
    /** systemd on a host: limits of 0 itself, but CAP_SYS_RESOURCE, so it sets any LimitRTPRIO=. */
    private static final ServiceManager HOST_SYSTEMD = new ServiceManager(ZERO, true);

    @TempDir
    Path tree;

    @Test
    void aContainersSystemdCannotGiveTheLimit() {
        Facts facts = new Facts(10, ZERO, false, false, true, CONTAINER_SYSTEMD, SERVICE_V2);
        assertEquals("SCHED_FIFO 10 refused: RLIMIT_RTPRIO is 0 (hard 0), no CAP_SYS_NICE: systemd cannot apply the unit's"
                + " LimitRTPRIO=99 (its own hard limit is 0, no CAP_SYS_RESOURCE: a container). The host must give it:"
                + " systemd-nspawn --rlimit=RLIMIT_RTPRIO=99, docker/podman run --ulimit rtprio=99, LXC lxc.prlimit.rtprio = 99"
                + " (or CAP_SYS_NICE)", RealtimeRefusal.explain(facts));
    }

    @Test
    void aSystemdThatCouldGiveTheLimitWasToldOtherwise() {
        Facts facts = new Facts(10, ZERO, false, false, true, HOST_SYSTEMD, SERVICE_V2);
        assertEquals("SCHED_FIFO 10 refused: RLIMIT_RTPRIO is 0 (hard 0), no CAP_SYS_NICE, which systemd could raise: the unit"
                + " or a drop-in sets LimitRTPRIO= below 10 (the shipped unit has LimitRTPRIO=99; see `systemctl cat omlha-agent`)",
                RealtimeRefusal.explain(facts));
    }

    @Test
    void withoutSystemdTheRemediesAreTheUnitPrlimitOrRoot() {
        Facts facts = new Facts(10, ZERO, false, false, false, HOST_SYSTEMD, ROOT_V1);
        assertEquals("SCHED_FIFO 10 refused: RLIMIT_RTPRIO is 0 (hard 0), no CAP_SYS_NICE: run it with LimitRTPRIO=99 (the"
                + " shipped unit), `prlimit --rtprio=99`, or as root", RealtimeRefusal.explain(facts));
    }

    @Test
    void aHardLimitHighEnoughNeedsOnlyTheSoftOneRaised() {
        Facts facts = new Facts(10, new Limit(0, 99), false, false, false, null, ROOT_V1);
        assertEquals("SCHED_FIFO 10 refused: RLIMIT_RTPRIO is 0 (hard 99), no CAP_SYS_NICE: raise the soft limit"
                + " (LimitRTPRIO=99 in the unit, `ulimit -r 99` in a shell)", RealtimeRefusal.explain(facts));
    }

    @Test
    void capSysNiceOfAUserNamespaceDoesNotCount() {
        Facts facts = new Facts(10, new Limit(5, 5), true, true, false, null, null);
        assertEquals("SCHED_FIFO 10 refused: RLIMIT_RTPRIO is 5 (hard 5), CAP_SYS_NICE only in a user namespace (it does not"
                + " count): run it with LimitRTPRIO=99 (the shipped unit), `prlimit --rtprio=99`, or as root", RealtimeRefusal.explain(facts));
    }

    @Test
    void aCgroupWithoutBudgetUnderSystemdPointsAtTheUnitsBudgetStep() {
        Facts facts = new Facts(10, SHIPPED, false, false, true, HOST_SYSTEMD, SERVICE_V1_NO_BUDGET);
        assertEquals("SCHED_FIFO 10 refused: the cpu cgroup /system.slice/omlha-agent.service has cpu.rt_runtime_us 0 (cgroup v1,"
                + " kernel with CONFIG_RT_GROUP_SCHED): the unit's ExecStartPre= `omlha-agent realtime-budget` gives it one;"
                + " `journalctl -u omlha-agent` says why it could not (in a container the host must)",
                RealtimeRefusal.explain(facts));
    }

    @Test
    void aCgroupWithoutBudgetElsewhereNamesTheBudgetCommand() {
        Facts facts = new Facts(10, ZERO, true, false, false, null, new CpuCgroup("/omhrt-test/svc", 1, 0L));
        assertEquals("SCHED_FIFO 10 refused: the cpu cgroup /omhrt-test/svc has cpu.rt_runtime_us 0 (cgroup v1, kernel with"
                + " CONFIG_RT_GROUP_SCHED): `omlha-agent realtime-budget` run as root in that cgroup gives it one (the shipped unit"
                + " runs it before the start), or start the agent in a cgroup with a budget", RealtimeRefusal.explain(facts));
    }

    @Test
    void bothCausesAtOnceNameTheLimitFirstAndTheCgroupToo() {
        Facts facts = new Facts(10, ZERO, false, false, false, null, new CpuCgroup("/omhrt-test/svc", 1, 0L));
        assertEquals("SCHED_FIFO 10 refused: RLIMIT_RTPRIO is 0 (hard 0), no CAP_SYS_NICE: run it with LimitRTPRIO=99 (the"
                + " shipped unit), `prlimit --rtprio=99`, or as root; besides, the cpu cgroup /omhrt-test/svc has cpu.rt_runtime_us 0",
                RealtimeRefusal.explain(facts));
    }

    @Test
    void theRootCgroupWithoutBudgetIsTheSysctl() {
        Facts facts = new Facts(10, ZERO, true, false, false, null, new CpuCgroup("/", 1, 0L));
        assertEquals("SCHED_FIFO 10 refused: the root cpu cgroup has cpu.rt_runtime_us 0 (sysctl kernel.sched_rt_runtime_us = 0):"
                + " set it back to 950000, the kernel's default", RealtimeRefusal.explain(facts));
    }

    @Test
    void allowedButRefusedNamesSeccompAndCgroupV2() {
        assertEquals("SCHED_FIFO 10 refused: Operation not permitted although RLIMIT_RTPRIO 99 allows it in the cpu cgroup"
                + " /system.slice/omlha-agent.service (cgroup v2): a kernel with CONFIG_RT_GROUP_SCHED gives cgroup v2's child cgroups"
                + " no real-time budget, or a seccomp filter forbids it (systemd: RestrictRealtime=yes in a drop-in)",
                RealtimeRefusal.explain(new Facts(10, SHIPPED, false, false, true, HOST_SYSTEMD, SERVICE_V2)));
        assertEquals("SCHED_FIFO 10 refused: Operation not permitted although CAP_SYS_NICE allows it in the cpu cgroup /"
                + " (cgroup v1, cpu.rt_runtime_us 950000): a seccomp filter forbids it (systemd: RestrictRealtime=yes in a drop-in)",
                RealtimeRefusal.explain(new Facts(10, null, true, false, false, null, ROOT_V1)));
    }

    @Test
    void factsThatCouldNotBeReadGiveTheGeneralCauses() {
        String expected = "SCHED_FIFO 10 refused: Operation not permitted: needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least 10"
                + " (systemd: LimitRTPRIO=), and a cgroup with a real-time budget (kernels with CONFIG_RT_GROUP_SCHED give child"
                + " cgroups none)";
        assertEquals(expected, RealtimeRefusal.explain(new Facts(10, null, null, null, false, null, null)));
        assertEquals(expected, RealtimeRefusal.explain(new Facts(10, null, false, null, true, null, SERVICE_V2)));
        // Without the limit, a cgroup known to have no budget is still the cause to name.
        assertTrue(RealtimeRefusal.explain(new Facts(10, null, null, null, false, null, SERVICE_V1_NO_BUDGET))
                .startsWith("SCHED_FIFO 10 refused: the cpu cgroup /system.slice/omlha-agent.service has cpu.rt_runtime_us 0"));
    }

    @Test
    void everySentenceFitsAStatusLine() {
        // The longest ones: with a service's cgroup path.
        for (Facts facts : new Facts[] {new Facts(10, ZERO, false, false, true, CONTAINER_SYSTEMD, SERVICE_V2),
                new Facts(10, SHIPPED, false, false, true, HOST_SYSTEMD, SERVICE_V1_NO_BUDGET),
                new Facts(10, SHIPPED, false, false, true, HOST_SYSTEMD, SERVICE_V2)}) {
            String sentence = RealtimeRefusal.explain(facts);
            assertFalse(sentence.contains("\n"), sentence);
            assertTrue(sentence.length() <= 330, sentence.length() + " characters: " + sentence);
        }
    }

    // The facts, read.

    @Test
    void readsTheFactsOfAContainerizedServiceOnCgroupV1() throws IOException {
        write("proc/self/limits", "Limit                     Soft Limit           Hard Limit           Units     \n"
                + "Max open files            1024                 524288               files     \n"
                + "Max realtime priority     0                    0                    \n"
                + "Max realtime timeout      unlimited            unlimited            us        \n");
        write("proc/self/status", "Name:\tjava\nCapInh:\t0000000000000000\nCapPrm:\t0000000000003000\nCapEff:\t0000000000003000\n");
        write("proc/self/uid_map", "         0          0 4294967295\n");
        write("proc/self/cgroup", "12:pids:/system.slice/omlha-agent.service\n4:cpu,cpuacct:/system.slice/omlha-agent.service\n"
                + "1:name=systemd:/system.slice/omlha-agent.service\n0::/system.slice/omlha-agent.service\n");
        write("proc/1/limits", "Max realtime priority     0                    0                    \n");
        write("proc/1/status", "CapEff:\t000001fffeffffff\n"); // no CAP_SYS_RESOURCE (bit 24)
        write("sys/fs/cgroup/cpu,cpuacct/system.slice/omlha-agent.service/cpu.rt_runtime_us", "0\n");

        Facts facts = read(Map.of("INVOCATION_ID", "f00", "SYSTEMD_EXEC_PID", "42"), 42);
        assertEquals(new Facts(10, ZERO, false, false, true, new ServiceManager(ZERO, false), SERVICE_V1_NO_BUDGET), facts);
    }

    @Test
    void readsUnlimitedLimitsACapabilityAUserNamespaceAndCgroupV2() throws IOException {
        write("proc/self/limits", "Max realtime priority     unlimited            unlimited            \n");
        write("proc/self/status", "CapEff:\t000001ffffffffff\n");
        write("proc/self/uid_map", "         0     100000      65536\n");
        write("proc/self/cgroup", "0::/system.slice/omlha-agent.service\n");

        Facts facts = read(Map.of(), 42);
        assertEquals(new Limit(Long.MAX_VALUE, Long.MAX_VALUE), facts.rtprio());
        assertEquals(true, facts.capSysNice());
        assertEquals(true, facts.userNamespace());
        assertFalse(facts.underSystemd());
        assertEquals(SERVICE_V2, facts.cpuCgroup());
        assertEquals(new ServiceManager(null, null), facts.manager(), "no /proc/1 in this tree");
    }

    @Test
    void missingOrGarbledFilesAreUnknownFacts() throws IOException {
        assertEquals(new Facts(10, null, null, null, false, new ServiceManager(null, null), null), read(Map.of(), 42));

        write("proc/self/limits", "Max realtime priority     zero\n");
        write("proc/self/status", "CapEff:\tnot-hex\n");
        write("proc/self/uid_map", "");
        write("proc/self/cgroup", "garbage\n3:cpu:relative\n");
        assertEquals(new Facts(10, null, null, null, false, new ServiceManager(null, null), null), read(Map.of(), 42));

        write("proc/self/cgroup", "3:cpu:/svc\n");
        write("sys/fs/cgroup/cpu/svc/cpu.rt_runtime_us", "lots\n");
        assertEquals(new CpuCgroup("/svc", 1, null), read(Map.of(), 42).cpuCgroup(), "an unreadable budget is unknown");
    }

    @Test
    void systemdStartedThisProcessOnlyWhenItNamesIt() {
        assertTrue(RealtimeRefusal.underSystemd(Map.of("INVOCATION_ID", "a", "SYSTEMD_EXEC_PID", "7"), 7));
        assertFalse(RealtimeRefusal.underSystemd(Map.of("INVOCATION_ID", "a", "SYSTEMD_EXEC_PID", "7"), 8),
                "a process a service started (a CI runner's agents) is not that service");
        assertTrue(RealtimeRefusal.underSystemd(Map.of("INVOCATION_ID", "a"), 8), "systemd before 248 sets INVOCATION_ID only");
        assertFalse(RealtimeRefusal.underSystemd(Map.of(), 8));
    }

    @Test
    void theCpuLineOfCgroupV1WinsOverTheV2Line() {
        CpuCgroup cgroup = RealtimeRefusal.cpuCgroup("2:cpuacct:/a\n1:cpu:/b\n0::/c\n", tree);
        assertEquals("/b", cgroup.path());
        assertEquals(1, cgroup.version());
        assertNull(cgroup.rtRuntimeUs(), "no such file in this tree");
    }

    private Facts read(Map<String, String> env, long pid) {
        return RealtimeRefusal.read(10, tree.resolve("proc"), tree.resolve("sys/fs/cgroup"), env, pid);
    }

    private void write(String path, String text) throws IOException {
        Path file = tree.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
