package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.agent.status.AgentStatus;

/**
 * The unit's {@code ExecStartPre=+/usr/bin/omlha-agent realtime-budget} on this machine's own cgroup-v1 cpu hierarchy,
 * where the kernel has CONFIG_RT_GROUP_SCHED: a new cpu cgroup has no real-time budget (cpu.rt_runtime_us 0), so the
 * kernel refuses SCHED_FIFO there even to root, and the agent says so naming the cgroup; the launcher's budget path,
 * run inside the cgroup as systemd runs it, gives it one, and then chrt and the agent's VRRP loop get SCHED_FIFO.
 *
 * <p>Skipped where there is nothing to show: on cgroup v2, or with a kernel without CONFIG_RT_GROUP_SCHED (no
 * cpu.rt_runtime_us), a service's cgroup needs no budget and realtime-budget has nothing to do. The cgroups made here
 * are omhrt-budget-PID and below; they are removed in every outcome.
 */
@Tag("lab")
class RealtimeBudgetIT {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    /** The cgroup-v1 cpu hierarchy with real-time budgets, where systemd and distributions mount it; null if none. */
    private static final Path CPU = cpuHierarchy();

    record Result(int exit, String out, String err) {}

    @BeforeAll
    static void needsACpuHierarchyWithRealtimeBudgets() {
        assumeTrue(CPU != null, "no cgroup-v1 cpu controller with cpu.rt_runtime_us under /sys/fs/cgroup (cgroup v2, or a kernel"
                + " without CONFIG_RT_GROUP_SCHED): cgroups have no real-time budget to give, so realtime-budget has nothing to do");
    }

    @Test
    void theBudgetPathGivesTheServiceCgroupABudgetAndTheLoopGetsSchedFifo() throws Exception {
        Path top = CPU.resolve("omhrt-budget-" + ProcessHandle.current().pid());
        Path service = top.resolve("svc");
        String cgroup = "/" + CPU.relativize(service);
        try {
            Files.createDirectories(service);
            assertEquals("0", budget(service), "a new cgroup has no real-time budget");

            Result before = inCgroup(service, "chrt", "-f", "10", "true");
            System.out.println("before: chrt -f 10 true in " + cgroup + ": exit " + before.exit() + ", " + before.err().strip());
            assertEquals(1, before.exit());
            assertTrue(before.err().contains("Operation not permitted"), before.err());

            try (Cluster cluster = Cluster.create(1)) {
                LabAgent n1 = new LabAgent(cluster.lab, cluster.hosts.get(0), agentIn(service),
                        Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", "advert-interval = 100ms"));
                cluster.agents.add(n1);
                n1.start();
                Await.until(LIMIT, "n1 master of web", () -> n1.isMasterWithVips("web"), n1::logText);
                AgentStatus.LoopStatus refused = n1.status().orElseThrow().loop();
                System.out.println("agent in " + cgroup + " without budget: " + refused.scheduling() + ": " + refused.schedulingProblem());
                assertEquals("SCHED_OTHER", refused.scheduling());
                // This process is root with CAP_SYS_NICE: the cgroup is the only cause, and it is named.
                assertTrue(refused.schedulingProblem() != null && refused.schedulingProblem().startsWith("SCHED_FIFO 10 refused: the cpu"
                        + " cgroup " + cgroup + " has cpu.rt_runtime_us 0 (cgroup v1, kernel with CONFIG_RT_GROUP_SCHED): ")
                        && refused.schedulingProblem().contains("omlha-agent realtime-budget"), refused.schedulingProblem());
                n1.terminate();

                Result budget = inCgroup(service, Cluster.launcher().get(0), "realtime-budget");
                System.out.println("realtime-budget in " + cgroup + ": exit " + budget.exit() + ", " + budget.out().strip());
                assertEquals(0, budget.exit(), budget.err());
                assertEquals("realtime-budget: gave the cpu cgroup " + cgroup + " 10000 us of real-time per period (cpu.rt_runtime_us: "
                        + cgroup.substring(0, cgroup.lastIndexOf('/')) + " 0 -> 10000, " + cgroup + " 0 -> 10000)\n", budget.out());
                assertEquals("10000", budget(service));
                assertEquals("10000", budget(top), "the parent covers its child");

                Result after = inCgroup(service, "chrt", "-f", "10", "true");
                System.out.println("after: chrt -f 10 true in " + cgroup + ": exit " + after.exit());
                assertEquals(0, after.exit(), after.err());

                n1.start();
                Await.until(LIMIT, "n1 master of web again", () -> n1.isMasterWithVips("web"), n1::logText);
                AgentStatus.LoopStatus realtime = n1.status().orElseThrow().loop();
                System.out.println("agent in " + cgroup + " with budget: " + realtime.scheduling() + " " + realtime.realtimePriority());
                assertEquals("SCHED_FIFO", realtime.scheduling(), realtime.schedulingProblem());
                assertEquals(10, realtime.realtimePriority());
                assertNull(realtime.schedulingProblem());

                Result again = inCgroup(service, Cluster.launcher().get(0), "realtime-budget");
                assertEquals(new Result(0, "realtime-budget: the cpu cgroup " + cgroup + " has a real-time budget already (10000 us)\n", ""),
                        again, "a restart finds the budget in place");
            }
        } finally {
            removeCgroups(top);
        }
    }

    @Test
    void aParentIsGivenWhatItsOtherChildrenHoldPlusTheBudget() throws Exception {
        Path top = CPU.resolve("omhrt-siblings-" + ProcessHandle.current().pid());
        Path other = top.resolve("other");
        Path service = top.resolve("svc");
        String cgroup = "/" + CPU.relativize(service);
        try {
            Files.createDirectories(other);
            Files.createDirectories(service);
            write(top, "20000");
            write(other, "20000"); // the parent's whole budget is its other child's

            Result budget = inCgroup(service, Cluster.launcher().get(0), "realtime-budget");
            assertEquals(new Result(0, "realtime-budget: gave the cpu cgroup " + cgroup + " 10000 us of real-time per period"
                    + " (cpu.rt_runtime_us: /" + CPU.relativize(top) + " 20000 -> 30000, " + cgroup + " 0 -> 10000)\n", ""), budget);
            assertEquals("20000", budget(other), "the other child keeps its budget");
            assertEquals(0, inCgroup(service, "chrt", "-f", "10", "true").exit());
        } finally {
            removeCgroups(top);
        }
    }

    @Test
    void aReadOnlyCgroupfsIsSaidAndTheStartGoesOn() throws Exception {
        Path top = CPU.resolve("omhrt-readonly-" + ProcessHandle.current().pid());
        Path service = top.resolve("svc");
        String cgroup = "/" + CPU.relativize(service);
        try {
            Files.createDirectories(service);
            // As in a container: the hierarchy read-only, in a mount namespace of the budget path's own.
            String readOnly = "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" && exec \"$2\" realtime-budget";
            Result budget = inCgroup(service, "unshare", "--mount", "bash", "-c", readOnly, "bash", CPU.toString(),
                    Cluster.launcher().get(0));
            assertEquals(new Result(0, "realtime-budget: could not give the cpu cgroup " + cgroup + " a real-time budget: writing 10000"
                    + " to " + top.resolve("cpu.rt_runtime_us") + ": Read-only file system (a container: the host must give its cgroup a"
                    + " budget); the VRRP loop will run at ordinary scheduling\n", ""), budget);
            assertEquals("0", budget(service));
        } finally {
            removeCgroups(top);
        }
    }

    /**
     * The launcher, started in {@code cgroup}. `ip netns exec` mounts the namespace's own sysfs over /sys, which hides
     * /sys/fs/cgroup: the agent takes this JVM's mount namespace back (its network namespace stays), so it sees the
     * cgroupfs as a service does.
     */
    private static List<String> agentIn(Path cgroup) {
        List<String> command = new ArrayList<>(List.of("nsenter", "--mount=/proc/" + ProcessHandle.current().pid() + "/ns/mnt",
                "bash", "-c", "echo $$ > \"$0\"/cgroup.procs && exec \"$@\"", cgroup.toString()));
        command.addAll(Cluster.launcher());
        return command;
    }

    /** Runs {@code command} in the cpu cgroup {@code cgroup} (a shell moves itself there, then execs it). */
    private static Result inCgroup(Path cgroup, String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("bash", "-c", "echo $$ > \"$0\"/cgroup.procs && exec \"$@\"", cgroup.toString()));
        full.addAll(List.of(command));
        Process process = new ProcessBuilder(full).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(full + " did not end in 30 s");
        }
        return new Result(process.exitValue(), out, err);
    }

    private static String budget(Path cgroup) throws IOException {
        return Files.readString(cgroup.resolve("cpu.rt_runtime_us")).strip();
    }

    private static void write(Path cgroup, String runtimeUs) throws IOException {
        Files.writeString(cgroup.resolve("cpu.rt_runtime_us"), runtimeUs);
    }

    /**
     * Removes {@code top} and its child cgroups, children first. A process still in one (the agent's JVM exits a moment
     * after its kill) is moved to the root cgroup first; rmdir is retried for a few seconds.
     */
    private static void removeCgroups(Path top) throws IOException, InterruptedException {
        if (!Files.isDirectory(top)) {
            return;
        }
        List<Path> cgroups = new ArrayList<>();
        try (var children = Files.list(top)) {
            children.filter(Files::isDirectory).forEach(cgroups::add);
        }
        cgroups.add(top);
        for (Path cgroup : cgroups) {
            for (int attempt = 0; Files.exists(cgroup); attempt++) {
                for (String pid : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
                    try {
                        Files.writeString(CPU.resolve("cgroup.procs"), pid);
                    } catch (IOException gone) {
                        // it exited meanwhile
                    }
                }
                try {
                    Files.delete(cgroup); // rmdir
                } catch (IOException busy) {
                    if (attempt == 50) {
                        throw new IOException("cannot remove the cgroup " + cgroup + ": " + busy, busy);
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    private static Path cpuHierarchy() {
        for (String mount : List.of("/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu")) {
            Path path = Path.of(mount);
            if (Files.isRegularFile(path.resolve("cpu.rt_runtime_us"))) {
                return path;
            }
        }
        return null;
    }
}
