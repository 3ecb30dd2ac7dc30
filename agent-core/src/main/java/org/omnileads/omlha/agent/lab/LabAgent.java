package org.omnileads.omlha.agent.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.omnileads.omlha.agent.status.AgentStatus;
import org.omnileads.omlha.agent.status.ControlClient;
import org.omnileads.omlha.agent.status.GroupStatus;
import org.omnileads.omlha.netns.NetnsLab;

/** An omlha-agent process on a lab host, with its config, log and control socket in the lab's folder. */
public final class LabAgent {
    private final NetnsLab lab;
    private final NetnsLab.Host host;
    private final List<String> launcher;
    private final Path config;
    private final Path socket;
    private final Path log;
    private Process process;

    public LabAgent(NetnsLab lab, NetnsLab.Host host, List<String> launcher, String groupsHocon) throws IOException {
        this.lab = lab;
        this.host = host;
        this.launcher = List.copyOf(launcher);
        this.config = lab.workDir().resolve(host.name() + ".conf");
        this.socket = lab.workDir().resolve(host.name() + ".sock");
        this.log = lab.workDir().resolve(host.name() + ".log");
        writeConfig(groupsHocon);
    }

    /** Rewrites the config file with other groups (same node, interface and control socket); see {@link #reload}. */
    public void writeConfig(String groupsHocon) throws IOException {
        Files.writeString(config, "omlha {\n  node = \"" + host.name() + "\"\n  interface = \"eth0\"\n"
                + "  control.socket = \"" + socket + "\"\n  state-dir = \"" + stateDir() + "\"\n  metrics.listen = \"\"\n"
                + groupsHocon + "\n}\n");
    }

    /**
     * Rewrites the config file with a complete configuration ({@code hocon}, e.g. what import-keepalived wrote), the
     * lab's control socket and state directory and no metrics endpoint merged over it: HOCON merges a second
     * {@code omlha} object into the first.
     */
    public void writeCompleteConfig(String hocon) throws IOException {
        Files.writeString(config, hocon + "\n# the lab's settings\nomlha {\n  control.socket = \"" + socket + "\"\n"
                + "  state-dir = \"" + stateDir() + "\"\n  metrics.listen = \"\"\n}\n");
    }

    /** SIGHUP: the agent reloads its config file. */
    public void reload() throws IOException {
        NetnsLab.run("kill", "-HUP", Long.toString(process.pid()));
    }

    /** The command that starts the agent from the current JVM's own jar (what {@code omlha-agent lab} uses). */
    public static List<String> selfLauncher() {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar;
        try {
            jar = Path.of(LabAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (Exception e) {
            throw new IllegalStateException("cannot find the agent's jar", e);
        }
        // The launcher's settings (bin/omlha-agent), where the measurements behind them are noted.
        return List.of(java, "-XX:+UseSerialGC", "-Xms8m", "-Xmn2m", "-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:-UsePerfData",
                "-jar", jar);
    }

    public NetnsLab.Host host() {
        return host;
    }

    public Path config() {
        return config;
    }

    public Path socket() {
        return socket;
    }

    /** The agent's state directory (maintenance marks), kept across its restarts in the lab. */
    public Path stateDir() {
        return lab.workDir().resolve(host.name() + "-state");
    }

    /** Runs {@code omlha-agent ARGS...} (a client command, e.g. maintenance) against this agent; waits for its exit. */
    public CommandResult command(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(args));
        Process client = new ProcessBuilder(command).redirectErrorStream(false).start();
        String out = new String(client.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        String err = new String(client.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!client.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            client.destroyForcibly();
            throw new IOException("omlha-agent " + String.join(" ", args) + " did not end in 60 s");
        }
        return new CommandResult(client.exitValue(), out, err);
    }

    /** {@code omlha-agent maintenance on|off ARGS...} against this agent's socket. */
    public CommandResult maintenance(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("maintenance"));
        all.addAll(List.of(args));
        all.addAll(List.of("--socket", socket.toString()));
        return command(all.toArray(String[]::new));
    }

    /** A client command's exit code and output. */
    public record CommandResult(int exit, String out, String err) {}

    public Path log() {
        return log;
    }

    public void start() throws IOException {
        Files.deleteIfExists(socket);
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of("run", "-c", config.toString()));
        process = lab.start(host, command, log);
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public Process process() {
        return process;
    }

    /** SIGKILL: no priority-0 advert, VIPs left behind (a crash or a power cut). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: the graceful stop; returns the exit code (SIGKILL and -1 if it has not stopped in 30 s). */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    /** The agent's status, or empty while it does not answer. */
    public Optional<AgentStatus> status() {
        try {
            return Optional.of(ControlClient.status(socket));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The named group's status, or empty while the agent does not answer. */
    public Optional<GroupStatus> group(String name) {
        return status().flatMap(s -> s.groups().stream().filter(g -> g.name().equals(name)).findFirst());
    }

    /** True when the agent answers and the group is MASTER with its VIPs attached. */
    public boolean isMasterWithVips(String group) {
        return group(group).map(g -> g.state().equals("MASTER") && g.vipsAttached()).orElse(false);
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
