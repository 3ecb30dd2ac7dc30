package org.omnileads.omlha.labservices;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * A real HAProxy (Debian's package) on a lab host, in the foreground: the service behind the VIP whose death the
 * health probes must notice. It needs no backend: {@code /health} is its {@code monitor-uri}, and every other
 * request gets a 200 whose body is the host's name, so a client behind the VIP sees which node answered.
 */
public final class LabHaproxy {
    public static final int PORT = 8080;
    public static final String HEALTH_PATH = "/health";
    private static final Duration READY_LIMIT = Duration.ofSeconds(10);

    private final NetnsLab lab;
    private final NetnsLab.Host host;
    private final Path dir;
    private final Path config;
    private final Path log;
    private Process process;

    public LabHaproxy(NetnsLab lab, NetnsLab.Host host) {
        this.lab = lab;
        this.host = host;
        this.dir = lab.workDir().resolve("haproxy-" + host.name());
        this.config = dir.resolve("haproxy.cfg");
        this.log = dir.resolve("haproxy.log");
    }

    public NetnsLab.Host host() {
        return host;
    }

    /** haproxy.cfg: listens on every address of the host (so on a VIP added later), port {@value #PORT}. */
    public static String config(String answer) {
        return String.join("\n",
                "global",
                "  maxconn 1000",
                "defaults",
                "  mode http",
                "  timeout connect 1s",
                "  timeout client 30s",
                "  timeout server 30s",
                "  timeout http-keep-alive 30s",
                "frontend web",
                "  bind :" + PORT,
                "  monitor-uri " + HEALTH_PATH,
                "  http-request return status 200 content-type text/plain string \"" + answer + "\\n\"",
                "");
    }

    /** Writes the config, starts HAProxy and returns once it answers on 127.0.0.1 inside the host's namespace. */
    public void start() throws IOException {
        if (isRunning()) {
            throw new IllegalStateException("HAProxy already runs on " + host.name());
        }
        Files.createDirectories(dir);
        Files.writeString(config, config(host.name()));
        process = lab.start(host, List.of("haproxy", "-db", "-f", config.toString()), log);
        InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), PORT);
        long end = System.nanoTime() + READY_LIMIT.toNanos();
        while (System.nanoTime() - end < 0) {
            if (!process.isAlive()) {
                throw new IOException("HAProxy on " + host.name() + " exited (" + process.exitValue() + "): " + logTail());
            }
            if (NamespaceHttpClient.fetch(host.namespace(), local, HEALTH_PATH, Duration.ofMillis(200)).ok()) {
                return;
            }
            sleep(10);
        }
        throw new IOException("HAProxy on " + host.name() + " does not answer " + HEALTH_PATH + " within " + READY_LIMIT.toSeconds()
                + " s: " + logTail());
    }

    /** SIGKILL (the service dies, the node stays up), and waits until the process is reaped. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("HAProxy " + process.pid() + " on " + host.name() + " survived SIGKILL for 10 s");
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public Process process() {
        return process;
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.stream().skip(Math.max(0, lines.size() - 20)).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for HAProxy", e);
        }
    }
}
