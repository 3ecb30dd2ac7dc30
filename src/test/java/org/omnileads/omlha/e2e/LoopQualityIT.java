package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.agent.status.AgentStatus;

/**
 * The VRRP loop thread as the issue on timing asks for it: at SCHED_FIFO (and only that thread), creating no garbage
 * while the cluster is steady, and, where real-time is not allowed, saying why and working all the same.
 */
@Tag("lab")
class LoopQualityIT {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final String THREE_GROUPS_AT_10MS = "  groups {\n"
            + "    g1 { vrid = 1, priority = %1$d, vips = [\"192.0.2.101/24\"], advert-interval = 10ms }\n"
            + "    g2 { vrid = 2, priority = %1$d, vips = [\"192.0.2.102/24\"], advert-interval = 10ms }\n"
            + "    g3 { vrid = 3, priority = %1$d, vips = [\"192.0.2.103/24\"], advert-interval = 10ms }\n  }";

    @Test
    void theLoopRunsRealtimeAndAllocatesNothingWhileTheClusterIsSteady() throws Exception {
        try (Cluster cluster = Cluster.create(2)) {
            LabAgent n1 = cluster.agent(1, String.format(THREE_GROUPS_AT_10MS, 150));
            Await.until(LIMIT, "n1 master of g1..g3", () -> n1.isMasterWithVips("g1") && n1.isMasterWithVips("g2")
                    && n1.isMasterWithVips("g3"), n1::logText);
            LabAgent n2 = cluster.agent(2, String.format(THREE_GROUPS_AT_10MS, 100));
            Await.until(LIMIT, "n2 hears n1 in g1..g3", () -> List.of("g1", "g2", "g3").stream().allMatch(g ->
                    n2.group(g).map(s -> s.state().equals("BACKUP") && "192.0.2.11".equals(s.master())).orElse(false)), n2::logText);

            for (LabAgent agent : List.of(n1, n2)) {
                AgentStatus.LoopStatus loop = agent.status().orElseThrow().loop();
                assertEquals("SCHED_FIFO", loop.scheduling(), agent.logText());
                assertEquals(10, loop.realtimePriority());
                assertNull(loop.schedulingProblem());
                assertEquals(List.of("vrrp-loop"), realtimeThreads(agent.process().pid()), "only the VRRP loop is real-time");
            }

            Await.sleep(5_000); // warm-up: first-time paths (class loading, the first decode per VRID) allocate once
            // A window counts only while the cluster stayed steady. At 10 ms adverts, a stall of the whole machine for
            // more than Master_Down_Interval (~34 ms; CI's virtual machines lose that much to CPU steal now and then)
            // makes the backup take over once, correctly; that window's allocations measure a transition, not the
            // steady path, so it is measured again, at most three times. A backup that takes over in every window fails.
            List<String> disturbed = new ArrayList<>();
            for (int window = 1; window <= 3; window++) {
                long mastersBefore = backupTakeovers(n2);
                long sentBefore = n1.status().orElseThrow().loop().vrrpAllocatedBytes();
                long receivedBefore = n2.status().orElseThrow().loop().vrrpAllocatedBytes();
                Await.sleep(10_000); // 3 groups x 100 adverts/s x 10 s = 3000 adverts sent by n1 and received by n2
                long sent = n1.status().orElseThrow().loop().vrrpAllocatedBytes() - sentBefore;
                long received = n2.status().orElseThrow().loop().vrrpAllocatedBytes() - receivedBefore;
                long takeovers = backupTakeovers(n2) - mastersBefore;
                if (takeovers > 0) {
                    disturbed.add("window " + window + ": n2 took over " + takeovers + " time(s)");
                    Await.until(LIMIT, "n1 master of g1..g3 again", () -> n1.isMasterWithVips("g1")
                            && n1.isMasterWithVips("g2") && n1.isMasterWithVips("g3"), n1::logText);
                    continue;
                }
                assertTrue(sentBefore > 0 && receivedBefore > 0, "the JVM counts the loop's allocations");
                // A decode alone allocates about 150 bytes (the packet, its address list, the source address): less
                // than one byte per advert means the steady paths allocate nothing at all.
                assertTrue(sent < 3000, "master's loop allocated " + sent + " bytes for 3000 adverts sent");
                assertTrue(received < 3000, "backup's loop allocated " + received + " bytes for 3000 adverts received");
                return;
            }
            throw new AssertionError("no steady 10 s window in three: " + disturbed + "\n" + n2.logText());
        }
    }

    /** How many times the backup n2 became master of g1, g2 or g3 since it started. */
    private static long backupTakeovers(LabAgent n2) {
        long total = 0;
        for (String g : List.of("g1", "g2", "g3")) {
            total += n2.group(g).orElseThrow().transitionCounts().getOrDefault("MASTER", 0L);
        }
        return total;
    }

    @Test
    void withoutTheRightToRealtimeTheAgentSaysWhyAndStillTakesOver() throws Exception {
        try (Cluster cluster = Cluster.create(1)) {
            // Root, but without CAP_SYS_NICE and with RLIMIT_RTPRIO 0: what the agent meets under a unit without
            // LimitRTPRIO=, or in a container whose systemd cannot raise it. (A cgroup without a real-time budget:
            // RealtimeBudgetIT.)
            List<String> launcher = new ArrayList<>(List.of("prlimit", "--rtprio=0:0", "setpriv", "--bounding-set=-sys_nice",
                    "--inh-caps=-sys_nice"));
            launcher.addAll(Cluster.launcher());
            LabAgent n1 = new LabAgent(cluster.lab, cluster.hosts.get(0), launcher,
                    Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", "advert-interval = 100ms"));
            cluster.agents.add(n1);
            n1.start();
            Await.until(LIMIT, "n1 master of web", () -> n1.isMasterWithVips("web"), n1::logText);

            AgentStatus.LoopStatus loop = n1.status().orElseThrow().loop();
            assertEquals("SCHED_OTHER", loop.scheduling());
            assertEquals(0, loop.realtimePriority());
            assertNotNull(loop.schedulingProblem());
            // The sentence for an agent that systemd did not start; one that did (an old systemd's INVOCATION_ID, inherited
            // from a CI runner's unit) is told about the container case instead: both name the unit's LimitRTPRIO=99.
            assertTrue(loop.schedulingProblem().startsWith("SCHED_FIFO 10 refused: RLIMIT_RTPRIO is 0 (hard 0), no CAP_SYS_NICE: ")
                    && loop.schedulingProblem().contains("LimitRTPRIO=99"), loop.schedulingProblem());
            assertTrue(n1.logText().contains("VRRP loop at ordinary scheduling"), n1.logText());
            assertEquals(List.of(), realtimeThreads(n1.process().pid()));
        }
    }

    /** Names of the process's threads whose policy (proc(5) stat field 41) is not SCHED_OTHER. */
    private static List<String> realtimeThreads(long pid) throws IOException {
        List<String> names = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields[0] is field 3: policy (field 41) is fields[38]
                if (!fields[38].equals("0")) {
                    names.add(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
                }
            }
        }
        return names;
    }
}
