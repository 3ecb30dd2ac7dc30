package org.omnileads.omlha.labservices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * A real redis-server (Debian's package) on a lab host, in the foreground, on port {@value #PORT} of every address
 * of the host (so of a VIP it holds): a master, or a replica of another host's. No persistence, its files in the lab's work dir.
 * Asked with redis-cli inside a namespace, so no client library is needed.
 */
public final class LabRedis implements AutoCloseable {
    public static final int PORT = 6379;
    private static final Duration READY_LIMIT = Duration.ofSeconds(10);

    private final NetnsLab lab;
    private final NetnsLab.Host host;
    private final Path dir;
    private final Path log;
    private Process process;
    private String replicaOf;

    public LabRedis(NetnsLab lab, NetnsLab.Host host) {
        this.lab = lab;
        this.host = host;
        this.dir = lab.workDir().resolve("redis-" + host.name());
        this.log = dir.resolve("redis.log");
    }

    public NetnsLab.Host host() {
        return host;
    }

    /** host:port as Sentinel names it. */
    public String address() {
        return host.ipv4() + ":" + PORT;
    }

    /** Starts it as a master; returns once it answers PING. */
    public void startMaster() throws IOException {
        replicaOf = null;
        start();
    }

    /** Starts it as a replica of {@code master}; returns once it answers PING. */
    public void startReplicaOf(LabRedis master) throws IOException {
        replicaOf = master.host().ipv4();
        start();
    }

    /**
     * Starts it again as a master, whatever it was: an old master that crashed comes back with its configuration
     * saying master (Sentinel could not rewrite it while it was down), until Sentinel turns it into a replica.
     */
    public void restartAsMaster() throws IOException {
        replicaOf = null;
        start();
    }

    private void start() throws IOException {
        if (isRunning()) {
            throw new IllegalStateException("redis already runs on " + host.name());
        }
        Files.createDirectories(dir);
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(PORT),
                "--bind", "0.0.0.0", "--protected-mode", "no", "--daemonize", "no",
                "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--repl-diskless-sync", "yes",
                "--repl-diskless-sync-delay", "0"));
        if (replicaOf != null) {
            command.addAll(List.of("--replicaof", replicaOf, String.valueOf(PORT)));
        }
        process = lab.start(host, command, log);
        long end = System.nanoTime() + READY_LIMIT.toNanos();
        while (System.nanoTime() - end < 0) {
            if (!process.isAlive()) {
                throw new IOException("redis on " + host.name() + " exited (" + process.exitValue() + "): " + logTail());
            }
            if (ask("PING").equals("PONG")) {
                return;
            }
            sleep(20);
        }
        throw new IOException("redis on " + host.name() + " does not answer PING within " + READY_LIMIT.toSeconds() + " s: " + logTail());
    }

    /** The first word of ROLE: master or slave; "" when it does not answer. */
    public String role() {
        String reply = ask("ROLE");
        return reply.lines().findFirst().orElse("");
    }

    /** One command through redis-cli on this host's loopback; its output, trimmed, or "" when it failed. */
    public String ask(String... args) {
        return cli(lab, host, "127.0.0.1", PORT, args);
    }

    /**
     * One command through redis-cli run in {@code from}'s namespace against {@code address:port}; its output, trimmed,
     * or "" when redis-cli failed (no answer within 2 s).
     */
    public static String cli(NetnsLab lab, NetnsLab.Host from, String address, int port, String... args) {
        List<String> command = new ArrayList<>(List.of("timeout", "2", "redis-cli", "-h", address, "-p", String.valueOf(port)));
        command.addAll(List.of(args));
        try {
            return lab.exec(from, command.toArray(String[]::new)).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGKILL, as in a crash; waits until the process is reaped. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("redis " + process.pid() + " on " + host.name() + " survived SIGKILL for 10 s");
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public String logTail() {
        return tail(log);
    }

    static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.stream().skip(Math.max(0, lines.size() - 20)).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Kills the server if it still runs (the lab kills whatever it started, too). */
    @Override
    public void close() {
        if (isRunning()) {
            process.destroyForcibly();
        }
    }

    static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for redis", e);
        }
    }
}
