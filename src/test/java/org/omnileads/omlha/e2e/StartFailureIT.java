package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnileads.omlha.agent.lab.LabAgent;

/**
 * What the journal shows when {@code omlha-agent run} cannot start for a reason of the host or its configuration: one
 * ERROR line that says what to fix, no stack trace, and the exit code the unit's {@code RestartPreventExitStatus=}
 * expects (4: restarting cannot help; 1: it may; 2: the config file).
 */
@Tag("lab")
class StartFailureIT {
    @TempDir
    Path dir;

    /** How a started agent ended: its exit code and everything it printed. */
    record Ended(int exit, String output) {
        List<String> errorLines() {
            return output.lines().filter(l -> l.contains(" ERROR ")).toList();
        }

        void hasOneErrorLineAndNoStackTrace() {
            assertEquals(1, errorLines().size(), "exactly one ERROR line:\n" + output);
            assertFalse(output.contains("\tat "), "no stack frame:\n" + output);
            assertFalse(output.contains("Exception"), "no exception class name:\n" + output);
        }
    }

    private static Ended awaitEnd(LabAgent agent) throws InterruptedException {
        assertTrue(agent.process().waitFor(60, TimeUnit.SECONDS), "the agent exits by itself\n" + agent.logText());
        return new Ended(agent.process().exitValue(), agent.logText());
    }

    @Test
    void withoutCapNetAdminTheAgentRefusesToStartInsteadOfServingWithoutItsVip() throws Exception {
        try (Cluster c = Cluster.create(1)) {
            // Root, but CAP_NET_ADMIN out of the bounding set: what an nspawn container without it, or a unit whose
            // CapabilityBoundingSet= leaves it out, gives the agent. It could open its sockets and become MASTER, and then
            // have every VIP refused.
            List<String> launcher = new ArrayList<>(List.of("setpriv", "--bounding-set=-net_admin", "--inh-caps=-net_admin"));
            launcher.addAll(Cluster.launcher());
            LabAgent n1 = new LabAgent(c.lab, c.hosts.get(0), launcher, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", "advert-interval = 100ms"));
            c.agents.add(n1);
            n1.start();
            Ended ended = awaitEnd(n1);

            assertEquals(4, ended.exit(), ended.output());
            ended.hasOneErrorLineAndNoStackTrace();
            String line = ended.errorLines().get(0);
            assertTrue(line.contains("start failed: the agent lacks CAP_NET_ADMIN (adding and removing the VIPs): "), line);
            assertFalse(line.contains("CAP_NET_RAW ("), "CAP_NET_RAW is there and not named as missing: " + line);
            // Which remedy depends on where the test runs (a container, a systemd service, neither); each names the fix.
            assertTrue(line.contains("--cap-add NET_ADMIN") || line.contains("CapabilityBoundingSet="), line);
            assertFalse(ended.output().contains("GroupRuntime"), "no group started:\n" + ended.output());
            assertTrue(c.holders(Cluster.VIP4).isEmpty(), "no VIP anywhere");
        }
    }

    @Test
    void anInterfaceThatDoesNotExistIsNamedWithTheOnesThatDo() throws Exception {
        try (Cluster c = Cluster.create(1)) {
            LabAgent n1 = c.agent(1, Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", "interface = eth9"));
            Ended ended = awaitEnd(n1);

            assertEquals(1, ended.exit(), "may be retried: the interface can appear later\n" + ended.output());
            ended.hasOneErrorLineAndNoStackTrace();
            assertTrue(ended.errorLines().get(0).endsWith("ERROR RunCommand: start failed: interface eth9 (group web) does not exist on"
                    + " this node; interfaces here: lo, eth0. Set omlha.interface or omlha.groups.web.interface in " + n1.config()),
                    ended.output());
        }
    }

    /**
     * A config file the agent's user may not read (/etc/omlha/agent.conf is 0640 root:omlha): one line naming the file,
     * exit 2. Root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH stands for that user: the file and its folder
     * belong to nobody:nogroup. The agent runs on a lab host all the same, with the lab's socket and state folder: should
     * it read the file after all, it starts there and touches nothing of this machine.
     */
    @Test
    void anUnreadableConfigFileIsOneLineNamingItAndExitsTwo() throws Exception {
        try (Cluster c = Cluster.create(1)) {
            Path folder = Files.createDirectory(dir.resolve("omlha"));
            Path file = Files.writeString(folder.resolve("agent.conf"), "omlha {\n  interface = eth0\n  control.socket = \""
                    + dir.resolve("agent.sock") + "\"\n  state-dir = \"" + dir.resolve("state") + "\"\n  metrics.listen = \"\"\n"
                    + Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", "") + "\n}\n");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-x---"));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
            assertEquals(0, run("chown", "65534:65534", file.toString()).exit());

            Ended unreadable = runWithoutDacOverride(c, file);
            assertEquals(2, unreadable.exit(), unreadable.output());
            assertEquals(file + ": not readable by user root (the file is 0640 " + owner(file) + ")", unreadable.output().strip());

            assertEquals(0, run("chown", "65534:65534", folder.toString()).exit());
            Ended unreachable = runWithoutDacOverride(c, file);
            assertEquals(2, unreachable.exit(), unreachable.output());
            assertEquals(file + ": not readable by user root: folder " + folder + " cannot be entered (it is 0750 " + owner(folder) + ")",
                    unreachable.output().strip(), "not \"no such file\"");
        }
    }

    private static Ended runWithoutDacOverride(Cluster c, Path config) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search",
                "--inh-caps=-dac_override,-dac_read_search"));
        command.addAll(Cluster.launcher());
        command.addAll(List.of("run", "-c", config.toString()));
        Path log = Files.createTempFile(c.lab.workDir(), "run", ".log");
        Process process = c.lab.start(c.hosts.get(0), command, log);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the agent did not exit:\n" + Files.readString(log));
        }
        return new Ended(process.exitValue(), Files.readString(log));
    }

    /** {@code user:group} as ls shows them. */
    private static String owner(Path path) throws IOException, InterruptedException {
        return run("stat", "-c", "%U:%G", path.toString()).output().strip();
    }

    private static Ended run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " returns");
        return new Ended(process.exitValue(), output);
    }
}
