package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.omnileads.omlha.agent.status.AgentStatus;
import org.omnileads.omlha.agent.status.GroupStatus;
import org.omnileads.omlha.agent.status.StatusJson;
import org.omnileads.omlha.labservices.AddressWatch;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * Two nodes as users run them: Debian 12 with systemd as PID 1 (systemd-nspawn containers, each in a lab host's
 * namespace on one switch), the .deb from packaging/deb/build.sh installed with dpkg, the agent started, reloaded,
 * stopped, killed and frozen through systemd. Everything is asserted on what systemd, the journal, the launcher and
 * the lab's addresses say, as an operator at the node's shell would see it.
 *
 * <p>n1 is the main (priority 150) and n2 the backup (100), one group, the document's VRID 51. The tests share the two
 * booted containers and run in order; each leaves n1 MASTER with both agents running, as the next one expects.
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemdNodesIT {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final String VIP = Cluster.VIP4;
    private static final String WEB = "    web { vrid = 51, vips = [\"" + VIP + "/24\"], priority = %d, advert-interval = 100ms }\n";
    private static final String API = "    api { vrid = 52, vips = [\"192.0.2.102/24\"], priority = %d, advert-interval = 100ms }\n";

    private static NetnsLab lab;
    private static NetnsLab.Host h1;
    private static NetnsLab.Host h2;
    private static SystemdContainer n1;
    private static SystemdContainer n2;

    @BeforeAll
    static void bootTwoNodesAndInstallTheDeb() throws Exception {
        Path root = DebianSystemdRoot.ensure();
        Path deb = buildDeb();
        lab = NetnsLab.create();
        try {
            h1 = lab.addHost("n1", "192.0.2.11/24", null);
            h2 = lab.addHost("n2", "192.0.2.12/24", null);
            Path shared = Files.createDirectories(lab.workDir().resolve("shared"));
            Files.copy(deb, shared.resolve(deb.getFileName()));
            n1 = SystemdContainer.boot(lab, h1, root, shared, List.of());
            // n2 as a container whose host keeps real-time to itself: without CAP_SYS_NICE (and, as on this machine,
            // an RLIMIT_RTPRIO of 0 that nobody inside may raise), SCHED_FIFO cannot be had, and the agent must say so.
            n2 = SystemdContainer.boot(lab, h2, root, shared, List.of("--drop-capability=CAP_SYS_NICE"));
            for (SystemdContainer node : List.of(n1, n2)) {
                String installed = node.sh("dpkg -i /mnt/shared/*.deb");
                assertTrue(installed.contains("omlha-agent: enabled;"), installed);
                assertEquals("enabled", node.exec("systemctl", "is-enabled", "omlha-agent").output().strip());
            }
            writeConfig(n1, 150, false);
            writeConfig(n2, 100, false);
        } catch (Exception | Error e) {
            closeAll();
            throw e;
        }
    }

    @AfterAll
    static void closeAll() {
        for (SystemdContainer node : new SystemdContainer[] {n1, n2}) {
            if (node != null) {
                node.close();
            }
        }
        if (lab != null) {
            lab.close();
        }
    }

    private static Path buildDeb() throws IOException, InterruptedException {
        Path home = Cluster.home().toAbsolutePath().normalize();
        Path out = Files.createTempFile("omlha-deb-build", ".out");
        try {
            Process build = new ProcessBuilder(home.resolve("packaging/deb/build.sh").toString()).directory(home.toFile())
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            assertTrue(build.waitFor(600, TimeUnit.SECONDS), "packaging/deb/build.sh finished");
            List<String> lines = Files.readAllLines(out);
            assertEquals(0, build.exitValue(), "packaging/deb/build.sh: " + lines);
            Path deb = Path.of(lines.get(lines.size() - 1));
            assertTrue(Files.isRegularFile(deb) && deb.toString().endsWith("_all.deb"), "last line is the .deb: " + deb);
            return deb;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void writeConfig(SystemdContainer node, int priority, boolean withApi) throws Exception {
        node.write("/etc/omlha/agent.conf", "omlha {\n  interface = \"eth0\"\n  groups {\n" + String.format(WEB, priority)
                + (withApi ? String.format(API, priority) : "") + "  }\n}\n");
        node.sh("omlha-agent check-config -c /etc/omlha/agent.conf");
    }

    private static AgentStatus status(SystemdContainer node) throws Exception {
        SystemdContainer.Result json = node.exec("omlha-agent", "status", "--json");
        json.assertOk("omlha-agent status --json on " + node.host.name());
        return StatusJson.read(json.output());
    }

    private static Optional<GroupStatus> group(SystemdContainer node, String name) {
        try {
            return status(node).groups().stream().filter(g -> g.name().equals(name)).findFirst();
        } catch (Exception | AssertionError e) {
            return Optional.empty();
        }
    }

    private static boolean isMaster(SystemdContainer node, String group) {
        return group(node, group).map(g -> g.state().equals("MASTER")).orElse(false);
    }

    private static boolean holds(NetnsLab.Host host, String address) {
        try {
            return lab.holds(host, address);
        } catch (IOException e) {
            return false;
        }
    }

    private static String diagnostics() {
        return "--- n1:\n" + n1.journal() + "\n--- n2:\n" + n2.journal();
    }

    /** n1 MASTER with the VIP, n2 BACKUP behind it, both units active: where every test starts and ends. */
    private static void awaitMainServing() {
        Await.until(LIMIT, "n1 MASTER with " + VIP + ", n2 BACKUP without it", () -> isMaster(n1, "web") && holds(h1, VIP)
                && group(n2, "web").map(g -> g.state().equals("BACKUP")).orElse(false) && !holds(h2, VIP),
                SystemdNodesIT::diagnostics);
    }

    @Test
    @Order(1)
    void systemctlStartWaitsForReadyAndStatusAnswers() throws Exception {
        n1.sh("systemctl start omlha-agent"); // Type=notify: returns once the agent sent READY=1
        assertEquals("active", n1.unitProperty("ActiveState"), diagnostics());
        assertEquals("running", n1.unitProperty("SubState"));
        assertEquals("running", n1.unitProperty("StatusText"), "the agent's STATUS= after READY=1");
        assertEquals("0", n1.unitProperty("NRestarts"));
        assertEquals("omlha", n1.sh("ps -o user= -p " + n1.unitProperty("MainPID")).strip(), "the agent runs as omlha");

        n2.sh("systemctl start omlha-agent");
        awaitMainServing();
        AgentStatus s1 = status(n1);
        assertEquals("n1", s1.node(), "the node is named after the host");
        assertEquals(Long.parseLong(n1.unitProperty("MainPID")), s1.pid(), "status comes from the unit's main process");
        assertEquals("192.0.2.11", group(n2, "web").orElseThrow().master(), "n2 hears n1");
        String table = n1.sh("omlha-agent status");
        assertTrue(table.contains("web") && table.contains("MASTER"), table);
    }

    @Test
    @Order(2)
    void statusIsForGroupOmlhaAndRefusesOthersInOneLine() throws Exception {
        n1.sh("id alice >/dev/null 2>&1 || useradd --create-home --groups omlha alice; id bob >/dev/null 2>&1 || useradd --create-home bob");
        SystemdContainer.Result alice = n1.exec("runuser", "-u", "alice", "--", "omlha-agent", "status");
        assertEquals(0, alice.exit(), alice.output());
        assertTrue(alice.output().contains("MASTER"), alice.output());

        SystemdContainer.Result bob = n1.exec("runuser", "-u", "bob", "--", "omlha-agent", "status");
        assertEquals(3, bob.exit(), bob.output());
        List<String> lines = bob.output().strip().lines().toList();
        assertEquals(1, lines.size(), "one line: " + bob.output());
        assertTrue(lines.get(0).contains("permission denied") && lines.get(0).contains("usermod -aG omlha bob"),
                "it says why and names the group to join: " + lines.get(0));
        System.out.println("SystemdNodesIT: status as bob (not in omlha), exit 3: " + lines.get(0));
        assertFalse(bob.output().contains("\tat "), "no stack trace: " + bob.output());
    }

    @Test
    @Order(3)
    void theBackupTakesOverAndTheMainTakesItBack() throws Exception {
        long mastersBefore = group(n2, "web").orElseThrow().transitionCounts().getOrDefault("MASTER", 0L);
        lab.setCable(h1, false);
        try {
            Await.until(LIMIT, "n2 MASTER with the VIP while n1's cable is out", () -> isMaster(n2, "web") && holds(h2, VIP),
                    SystemdNodesIT::diagnostics);
        } finally {
            lab.setCable(h1, true);
        }
        awaitMainServing();
        assertTrue(group(n2, "web").orElseThrow().transitionCounts().getOrDefault("MASTER", 0L) > mastersBefore,
                "n2's own count of becoming MASTER went up");
    }

    @Test
    @Order(4)
    void systemctlReloadAddsAGroupAndKeepsTheUnchangedOne() throws Exception {
        String pid = n1.unitProperty("MainPID");
        Map<String, Long> webBefore = group(n1, "web").orElseThrow().transitionCounts();
        writeConfig(n1, 150, true);
        writeConfig(n2, 100, true);
        n1.sh("systemctl reload omlha-agent");
        n2.sh("systemctl reload omlha-agent");
        Await.until(LIMIT, "n1 MASTER of the new group api with its VIP", () -> isMaster(n1, "api") && holds(h1, "192.0.2.102"),
                SystemdNodesIT::diagnostics);
        assertEquals(pid, n1.unitProperty("MainPID"), "a reload is not a restart");
        assertEquals(webBefore, group(n1, "web").orElseThrow().transitionCounts(), "web went through no transition");
        assertTrue(holds(h1, VIP), "web's VIP stayed");
        awaitMainServing();
    }

    @Test
    @Order(5)
    void systemctlStopHandsTheVipOverBeforeReleasingIt() throws Exception {
        try (AddressWatch w1 = AddressWatch.start(lab, h1, VIP); AddressWatch w2 = AddressWatch.start(lab, h2, VIP)) {
            long before = System.nanoTime();
            n1.sh("systemctl stop omlha-agent");
            Await.until(LIMIT, "n2 MASTER with the VIP after n1's stop", () -> isMaster(n2, "web") && holds(h2, VIP),
                    SystemdNodesIT::diagnostics);
            assertFalse(holds(h1, VIP), "n1 released the VIP");
            assertEquals("inactive", n1.unitProperty("ActiveState"));
            OptionalLong released = w1.releasedAfter(before);
            assertTrue(released.isPresent(), "n1 released: " + w1.periods());
            long taken = w2.periods().stream().mapToLong(AddressWatch.Held::from).filter(from -> from - before >= 0).min()
                    .orElseThrow(() -> new AssertionError("n2 never attached: " + safePeriods(w2)));
            assertTrue(taken - released.getAsLong() <= 0, "make before break: n2 attached "
                    + (taken - released.getAsLong()) / 1e6 + " ms after n1 released\n" + diagnostics());
            List<String> said = n1.agentLinesAfter("");
            assertTrue(said.stream().anyMatch(l -> l.contains("stopping: handing the MASTER groups over")), String.join("\n", said));
        }
        n1.sh("systemctl start omlha-agent");
        awaitMainServing();
    }

    @Test
    @Order(6)
    void aKilledAgentLeavesNoVipAndSystemdRestartsIt() throws Exception {
        String pid = n1.unitProperty("MainPID");
        String restarts = n1.unitProperty("NRestarts");
        try (AddressWatch w1 = AddressWatch.start(lab, h1, VIP)) {
            long killed = System.nanoTime();
            n1.sh("kill -9 " + pid);
            Await.until(LIMIT, "n1's VIP removed after the kill", () -> released(w1, killed), SystemdNodesIT::diagnostics);
            System.out.printf("SystemdNodesIT: kill -9 -> VIP removed from n1 after %.0f ms%n",
                    (w1.releasedAfter(killed).getAsLong() - killed) / 1e6);
            Await.until(LIMIT, "systemd restarted the agent", () -> restarted(n1, pid, restarts), SystemdNodesIT::diagnostics);
        }
        String journal = n1.sh("journalctl --no-pager -o cat -u omlha-agent -n 40");
        assertTrue(journal.contains("removed " + VIP + "/24 from eth0"), "ExecStopPost removed it:\n" + journal);
        awaitMainServing();
    }

    @Test
    @Order(7)
    void aFrozenAgentIsKilledByTheWatchdogAndRestarted() throws Exception {
        String pid = n1.unitProperty("MainPID");
        String restarts = n1.unitProperty("NRestarts");
        n1.sh("kill -STOP " + pid);
        // The frozen agent sends no advert: n2 takes over at once, while systemd waits out WatchdogSec=10s.
        Await.until(LIMIT, "n2 MASTER with the VIP while n1 is frozen", () -> isMaster(n2, "web") && holds(h2, VIP),
                SystemdNodesIT::diagnostics);
        Await.until(Duration.ofSeconds(40), "the watchdog killed and systemd restarted the agent", () -> restarted(n1, pid, restarts),
                SystemdNodesIT::diagnostics);
        String journal = n1.sh("journalctl --no-pager -o cat -u omlha-agent -n 60");
        assertTrue(journal.contains("Watchdog timeout"), journal);
        awaitMainServing();
    }

    @Test
    @Order(8)
    void theLoopIsRealtimeWhereTheHostAllowsItAndSaysWhyWhereNot() throws Exception {
        AgentStatus.LoopStatus granted = status(n1).loop();
        assertEquals("SCHED_FIFO", granted.scheduling(), "n1 (nspawn's default capabilities): " + granted);
        AgentStatus.LoopStatus refused = status(n2).loop();
        assertEquals("SCHED_OTHER", refused.scheduling(), "n2 (no CAP_SYS_NICE): " + refused);
        // The container's systemd has a hard RLIMIT_RTPRIO of 0 and no CAP_SYS_RESOURCE: LimitRTPRIO=99 cannot apply.
        assertTrue(refused.schedulingProblem() != null && refused.schedulingProblem().startsWith("SCHED_FIFO 10 refused: RLIMIT_RTPRIO is 0"
                + " (hard 0), no CAP_SYS_NICE: systemd cannot apply the unit's LimitRTPRIO=99 (its own hard limit is 0, no"
                + " CAP_SYS_RESOURCE: a container). The host must give it: systemd-nspawn --rlimit=RLIMIT_RTPRIO=99"),
                "n2 says what the host must change: " + refused.schedulingProblem());
        String table = n2.sh("omlha-agent status");
        assertTrue(table.contains("VRRP loop: SCHED_OTHER\n    " + refused.schedulingProblem() + "\n"), table);
        // ExecStartPre=+ ran the launcher's budget path as root before each start, and said what it found in one line.
        String budget = n1.sh("journalctl --no-pager -o cat -u omlha-agent | grep '^realtime-budget: ' | tail -1");
        assertTrue(budget.startsWith("realtime-budget: "), "n1's journal: " + budget);
        System.out.println("n1: " + budget.strip() + "\nn2: " + refused.schedulingProblem());
    }

    @Test
    @Order(9)
    void anExpectedStartFailureIsOneJournalLineWithoutAStackTrace() throws Exception {
        n2.sh("systemctl stop omlha-agent");
        try {
            // A bad config: exit 2, which the unit does not restart.
            n2.sh("sed -i 's/vrid = 51/vrid = 511/' /etc/omlha/agent.conf");
            assertStartFailsInOneLine("omlha.groups.web.vrid", "2");
            writeConfig(n2, 100, true);

            // No such interface: said in one line per attempt (the unit retries; the NIC may come later).
            n2.sh("sed -i 's/\"eth0\"/\"eth9\"/' /etc/omlha/agent.conf");
            assertStartFailsInOneLine("eth9", "1");
            writeConfig(n2, 100, true);

            // No capability (a drop-in that takes them away): exit 4, not restarted.
            n2.write("/etc/systemd/system/omlha-agent.service.d/nocap.conf", "[Service]\nAmbientCapabilities=\n");
            n2.sh("systemctl daemon-reload");
            assertStartFailsInOneLine("CAP_NET_", "4");
        } finally {
            n2.sh("rm -rf /etc/systemd/system/omlha-agent.service.d && systemctl daemon-reload && systemctl reset-failed omlha-agent");
            writeConfig(n2, 100, true);
            n2.sh("systemctl start omlha-agent");
        }
        awaitMainServing();
    }

    private static void assertStartFailsInOneLine(String named, String exitStatus) throws Exception {
        n2.exec("mkdir", "-p", "/etc/systemd/system/omlha-agent.service.d");
        String cursor = n2.journalCursor();
        SystemdContainer.Result start = n2.exec("systemctl", "start", "omlha-agent");
        assertNotEquals(0, start.exit(), "systemctl start fails: " + start.output());
        n2.exec("systemctl", "stop", "omlha-agent"); // no more restarts
        // journald reads the agent's output stream apart from systemd's own messages: it may land a moment later.
        Await.until(Duration.ofSeconds(5), "the agent's lines in the journal", () -> !agentLines(n2, cursor).isEmpty(),
                () -> "systemctl start said: " + start.output() + "\n" + n2.journal());
        List<String> said = n2.agentLinesAfter(cursor);
        assertEquals(exitStatus, n2.unitProperty("ExecMainStatus"), "exit status\n" + String.join("\n", said));
        List<String> errors = said.stream().filter(line -> line.contains("ERROR") || !line.matches("^\\d{4}-\\d\\d-\\d\\d .*")).toList();
        assertFalse(errors.isEmpty(), "the agent said why: " + said);
        assertEquals(1, errors.stream().distinct().count(), "one line (per attempt), not a stack trace:\n" + String.join("\n", said));
        assertTrue(errors.get(0).contains(named), errors.get(0));
        System.out.println("SystemdNodesIT: failed start, exit " + exitStatus + ", journal: " + errors.get(0));
        assertTrue(said.stream().noneMatch(line -> line.startsWith("\tat ") || line.startsWith("at ")), String.join("\n", said));
        n2.exec("systemctl", "reset-failed", "omlha-agent");
    }

    private static List<String> agentLines(SystemdContainer node, String cursor) {
        try {
            return node.agentLinesAfter(cursor);
        } catch (IOException | InterruptedException e) {
            return List.of();
        }
    }

    private static boolean released(AddressWatch watch, long after) {
        try {
            return watch.releasedAfter(after).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean restarted(SystemdContainer node, String oldPid, String oldRestarts) {
        try {
            String pid = node.unitProperty("MainPID");
            return node.unitProperty("ActiveState").equals("active") && !pid.equals("0") && !pid.equals(oldPid)
                    && Integer.parseInt(node.unitProperty("NRestarts")) > Integer.parseInt(oldRestarts);
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return false;
        }
    }

    private static String safePeriods(AddressWatch watch) {
        try {
            return watch.periods().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }
}
