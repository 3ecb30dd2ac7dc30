package org.omnileads.omlha.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * A Debian 12 machine with systemd as PID 1, booted by systemd-nspawn inside a lab host's network namespace: the
 * container's eth0 is the host's, cabled to the lab's switch. Commands run inside with nsenter (all of the
 * container's namespaces), as an operator's shell on the node would run them. Closing it kills the container; the
 * lab deletes the namespace.
 *
 * <p>Not registered with systemd-machined (this machine's PID 1 is no systemd): {@code --register=no --keep-unit}.
 * nspawn gives a container without {@code --private-network} no CAP_NET_ADMIN; a node has it, so it is added.
 */
final class SystemdContainer implements AutoCloseable {
    private static final Duration BOOT_LIMIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(int exit, String output) {
        Result assertOk(String what) {
            if (exit != 0) {
                throw new AssertionError(what + " failed (exit " + exit + "):\n" + output);
            }
            return this;
        }
    }

    final NetnsLab.Host host;
    private final Process nspawn;
    private final Path console;
    private final long leader;

    private SystemdContainer(NetnsLab.Host host, Process nspawn, Path console, long leader) {
        this.host = host;
        this.nspawn = nspawn;
        this.console = console;
        this.leader = leader;
    }

    /**
     * Boots {@code root} (read-only, a tmpfs overlay of its own) in the host's namespace, {@code shared} mounted
     * read-only at /mnt/shared, and waits until systemd says the system is running.
     */
    static SystemdContainer boot(NetnsLab lab, NetnsLab.Host host, Path root, Path shared, List<String> extraOptions)
            throws IOException, InterruptedException {
        Path console = lab.workDir().resolve(host.name() + "-console.log");
        List<String> command = new ArrayList<>(List.of("systemd-nspawn", "--directory=" + root, "--volatile=overlay",
                "--register=no", "--keep-unit", "--machine=omh" + lab.tag() + host.name(), "--hostname=" + host.name(),
                "--network-namespace-path=/run/netns/" + host.namespace(), "--capability=CAP_NET_ADMIN",
                "--bind-ro=" + shared + ":/mnt/shared", "--console=read-only"));
        command.addAll(extraOptions);
        command.add("--boot");
        Process nspawn = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile())).start();
        try {
            long leader = awaitLeader(nspawn, console);
            SystemdContainer container = new SystemdContainer(host, nspawn, console, leader);
            container.awaitRunning();
            return container;
        } catch (IOException | RuntimeException | Error e) {
            kill(nspawn);
            throw e;
        }
    }

    /** The container's PID 1 (systemd), a child of nspawn. */
    private static long awaitLeader(Process nspawn, Path console) throws IOException, InterruptedException {
        long end = System.nanoTime() + BOOT_LIMIT.toNanos();
        while (System.nanoTime() - end < 0) {
            if (!nspawn.isAlive()) {
                throw new IOException("systemd-nspawn exited (" + nspawn.exitValue() + "):\n" + Files.readString(console));
            }
            Optional<ProcessHandle> init = nspawn.toHandle().children()
                    .filter(child -> child.info().command().map(c -> c.endsWith("/systemd")).orElse(false)).findFirst();
            if (init.isPresent()) {
                return init.get().pid();
            }
            Thread.sleep(50);
        }
        throw new IOException("no systemd in the container within " + BOOT_LIMIT.toSeconds() + " s:\n" + Files.readString(console));
    }

    private void awaitRunning() throws IOException, InterruptedException {
        long end = System.nanoTime() + BOOT_LIMIT.toNanos();
        String state = "";
        while (System.nanoTime() - end < 0) {
            state = exec("systemctl", "is-system-running").output().strip();
            if (state.equals("running")) {
                return;
            }
            if (state.equals("degraded")) {
                throw new IOException("the container booted degraded:\n" + exec("systemctl", "--failed", "--no-pager").output());
            }
            Thread.sleep(100);
        }
        throw new IOException("the container is not running after " + BOOT_LIMIT.toSeconds() + " s (" + state + "):\n"
                + Files.readString(console));
    }

    /** Runs a command inside the container as root; output and errors together. */
    Result exec(String... command) throws IOException, InterruptedException {
        return execWithInput(null, command);
    }

    /** {@code sh -c script} inside the container as root; fails on a non-zero exit. */
    String sh(String script) throws IOException, InterruptedException {
        return exec("sh", "-c", script).assertOk(script).output();
    }

    /** Writes a file inside the container (as root; the mode and owner of an existing file stay). */
    void write(String path, String content) throws IOException, InterruptedException {
        execWithInput(content, "sh", "-c", "cat > '" + path + "'").assertOk("writing " + path);
    }

    Result execWithInput(String input, String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("nsenter", "--target=" + leader, "--all", "--"));
        full.addAll(List.of(command));
        // Output to a file, not a pipe read to its end: a command that hangs must not hang the test past its bound.
        Path out = Files.createTempFile("omlha-container", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile());
            builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            builder.environment().put("SYSTEMD_PAGER", "");
            Process process = builder.start();
            try (var stdin = process.getOutputStream()) {
                if (input != null) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no exit in 120 s");
            }
            return new Result(process.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** {@code systemctl show -p PROPERTY --value omlha-agent}. */
    String unitProperty(String property) throws IOException, InterruptedException {
        return exec("systemctl", "show", "-p", property, "--value", "omlha-agent").output().strip();
    }

    /** The journal's position now: {@link #agentLinesAfter} reads what the agent's JVM wrote after it. */
    String journalCursor() throws IOException, InterruptedException {
        String out = exec("journalctl", "-n", "0", "--show-cursor", "--no-pager").output();
        int at = out.lastIndexOf("-- cursor: ");
        return at < 0 ? "" : out.substring(at + "-- cursor: ".length()).strip();
    }

    /** What the agent itself (its JVM, not systemd nor ExecStopPost's shell) wrote to the journal after the cursor. */
    List<String> agentLinesAfter(String cursor) throws IOException, InterruptedException {
        // Not --after-cursor: systemd 252's journalctl returns nothing with it when the cursor's entry does not match the
        // filter. --cursor starts at that entry, and it is dropped by its own cursor.
        List<String> command = new ArrayList<>(List.of("journalctl", "--no-pager", "-o", "json", "-u", "omlha-agent", "_COMM=java"));
        if (!cursor.isEmpty()) {
            command.add("--cursor=" + cursor);
        }
        List<String> lines = new ArrayList<>();
        for (String json : exec(command.toArray(String[]::new)).output().lines().toList()) {
            if (!json.startsWith("{")) {
                continue;
            }
            JsonNode entry = JSON.readTree(json);
            if (!entry.path("__CURSOR").asText().equals(cursor)) {
                lines.add(entry.path("MESSAGE").asText());
            }
        }
        return lines;
    }

    /** The unit's whole journal (systemd's lines too), for failure messages. */
    String journal() {
        try {
            return exec("journalctl", "--no-pager", "-o", "short-precise", "-u", "omlha-agent", "-n", "80").output();
        } catch (IOException | InterruptedException e) {
            return "(no journal: " + e + ")";
        }
    }

    @Override
    public void close() {
        // The container's systemd first, by its own pid: once nspawn is gone it would be the machine's orphan, not
        // nspawn's descendant. Killing a PID namespace's init kills everything in it.
        ProcessHandle.of(leader).ifPresent(ProcessHandle::destroyForcibly);
        kill(nspawn);
    }

    private static void kill(Process nspawn) {
        nspawn.descendants().forEach(ProcessHandle::destroyForcibly);
        nspawn.destroyForcibly();
        try {
            nspawn.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "container " + host.name() + " (console " + console + ")";
    }
}
