package org.omnileads.omlha.labservices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * A real redis-sentinel (Debian's package) on a lab host, port {@value #PORT}, monitoring {@value #MASTER_NAME}.
 * The settings ({@link #config}) are short so that a lab fails over in seconds: down-after-milliseconds 1000,
 * failover-timeout 10000, parallel-syncs 1, the quorum given.
 */
public final class LabSentinel implements AutoCloseable {
    public static final int PORT = 26379;
    public static final String MASTER_NAME = "mymaster";
    public static final int DOWN_AFTER_MILLIS = 1000;
    public static final int FAILOVER_TIMEOUT_MILLIS = 10_000;
    private static final Duration READY_LIMIT = Duration.ofSeconds(10);

    private final NetnsLab lab;
    private final NetnsLab.Host host;
    private final Path dir;
    private final Path config;
    private final Path log;
    private Process process;

    public LabSentinel(NetnsLab lab, NetnsLab.Host host) {
        this.lab = lab;
        this.host = host;
        this.dir = lab.workDir().resolve("sentinel-" + host.name());
        this.config = dir.resolve("sentinel.conf");
        this.log = dir.resolve("sentinel.log");
    }

    public NetnsLab.Host host() {
        return host;
    }

    /** host:port, as the agent's redis probe lists it. */
    public String address() {
        return host.ipv4() + ":" + PORT;
    }

    /** sentinel.conf (Sentinel rewrites it as it learns replicas, other Sentinels and failovers). */
    public static String config(NetnsLab.Host host, String dir, String masterIp, int quorum) {
        return String.join("\n",
                "port " + PORT,
                "bind " + host.ipv4() + " 127.0.0.1",
                "protected-mode no",
                "daemonize no",
                "dir " + dir,
                "sentinel monitor " + MASTER_NAME + " " + masterIp + " " + LabRedis.PORT + " " + quorum,
                "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MILLIS,
                "sentinel failover-timeout " + MASTER_NAME + " " + FAILOVER_TIMEOUT_MILLIS,
                "sentinel parallel-syncs " + MASTER_NAME + " 1",
                "");
    }

    /** Writes the config, starts Sentinel and returns once it answers PING. */
    public void start(LabRedis master, int quorum) throws IOException {
        start(master, quorum, "");
    }

    /** As {@link #start(LabRedis, int)}, with more lines for sentinel.conf (e.g. a client-reconfig-script). */
    public void start(LabRedis master, int quorum, String extraConfig) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(config, config(host, dir.toString(), master.host().ipv4(), quorum) + extraConfig);
        process = lab.start(host, List.of("redis-sentinel", config.toString()), log);
        long end = System.nanoTime() + READY_LIMIT.toNanos();
        while (System.nanoTime() - end < 0) {
            if (!process.isAlive()) {
                throw new IOException("sentinel on " + host.name() + " exited (" + process.exitValue() + "): " + logTail());
            }
            if (ask("PING").equals("PONG")) {
                return;
            }
            LabRedis.sleep(20);
        }
        throw new IOException("sentinel on " + host.name() + " does not answer within " + READY_LIMIT.toSeconds() + " s: " + logTail());
    }

    /** {@code SENTINEL get-master-addr-by-name}: host:port, or "" when it does not answer. */
    public String master() {
        List<String> lines = ask("SENTINEL", "get-master-addr-by-name", MASTER_NAME).lines().toList();
        return lines.size() == 2 ? lines.get(0) + ":" + lines.get(1) : "";
    }

    /**
     * The master (host:port) that a majority of {@code sentinels} name, or "" when no majority agrees (one
     * {@link #master()} question each).
     */
    public static String electedMaster(List<LabSentinel> sentinels) {
        List<String> named = sentinels.stream().map(LabSentinel::master).toList();
        for (String candidate : named) {
            if (!candidate.isEmpty() && named.stream().filter(candidate::equals).count() > sentinels.size() / 2) {
                return candidate;
            }
        }
        return "";
    }

    /** {@code SENTINEL FAILOVER}: OK, or Sentinel's error (NOGOODSLAVE until it knows a replica). */
    public String failover() {
        return ask("SENTINEL", "failover", MASTER_NAME);
    }

    /** How many replicas and other Sentinels it knows of: both must be complete before a lab relies on a failover. */
    public int knownReplicas() {
        return count(ask("SENTINEL", "replicas", MASTER_NAME));
    }

    public int knownSentinels() {
        return count(ask("SENTINEL", "sentinels", MASTER_NAME));
    }

    private static int count(String reply) {
        return (int) reply.lines().filter(line -> line.equals("name")).count();
    }

    public String ask(String... args) {
        return LabRedis.cli(lab, host, "127.0.0.1", PORT, args);
    }

    public String logTail() {
        return LabRedis.tail(log);
    }

    /** Sentinel's log file (each line stamped to the millisecond, local time). */
    public Path log() {
        return log;
    }

    /** The directory of its config and log, where a lab may put its scripts. */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
