package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Redis master, one replica and one or more Sentinels (quorum: a majority of them) watching the master as
 * {@link #MASTER_NAME}, from Debian's {@code redis-server} and {@code redis-sentinel} packages, on 127.0.0.1 and free
 * ports, in a temp dir. Sentinel's down-after is a minute, so it never fails over on its own during a test; a test
 * asks for a failover with {@link #failover()}.
 */
// "try": close() may be interrupted; the tests' try-with-resources let that through as a test failure.
@SuppressWarnings("try")
final class RedisServers implements AutoCloseable {

    static final String MASTER_NAME = "omlha-test";
    private static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");
    private static final Path REDIS_SENTINEL = Path.of("/usr/bin/redis-sentinel");

    final Path dir;
    final int masterPort;
    final int replicaPort;
    final int sentinelPort;
    /** Every Sentinel's port, {@link #sentinelPort} first. */
    final List<Integer> sentinelPorts = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private Process master;

    private RedisServers(Path dir, int masterPort, int replicaPort, int sentinelPort) {
        this.dir = dir;
        this.masterPort = masterPort;
        this.replicaPort = replicaPort;
        this.sentinelPort = sentinelPort;
    }

    static RedisServers start() throws IOException, InterruptedException {
        return start(1);
    }

    static RedisServers start(int sentinels) throws IOException, InterruptedException {
        if (!Files.isExecutable(REDIS_SERVER) || !Files.isExecutable(REDIS_SENTINEL)) {
            fail("Redis binaries missing (" + REDIS_SERVER + ", " + REDIS_SENTINEL
                    + "): install them with `apt-get install -y redis-server redis-sentinel`");
        }
        Path dir = Files.createTempDirectory("omlha-redis");
        RedisServers servers = new RedisServers(dir, freePort(), freePort(), freePort());
        try {
            servers.master = servers.launch("master", REDIS_SERVER.toString(), "--port", "" + servers.masterPort);
            servers.awaitPing(servers.masterPort);
            servers.launch("replica", REDIS_SERVER.toString(), "--port", "" + servers.replicaPort,
                    "--replicaof", "127.0.0.1", "" + servers.masterPort);
            servers.awaitPing(servers.replicaPort);
            for (int i = 0; i < sentinels; i++) {
                int port = i == 0 ? servers.sentinelPort : freePort();
                servers.sentinelPorts.add(port);
                Path conf = dir.resolve("sentinel-" + i + ".conf");
                Files.writeString(conf, """
                        port %d
                        bind 127.0.0.1
                        protected-mode no
                        daemonize no
                        dir %s
                        sentinel monitor %s 127.0.0.1 %d %d
                        sentinel down-after-milliseconds %s 60000
                        """.formatted(port, dir, MASTER_NAME, servers.masterPort, sentinels / 2 + 1, MASTER_NAME));
                servers.launch("sentinel-" + i, REDIS_SENTINEL.toString(), conf.toString());
                servers.awaitPing(port);
            }
            return servers;
        } catch (IOException | InterruptedException | RuntimeException e) {
            servers.close();
            throw e;
        }
    }

    String masterUri() {
        return "redis://127.0.0.1:" + masterPort;
    }

    String replicaUri() {
        return "redis://127.0.0.1:" + replicaPort;
    }

    String sentinelUri() {
        return "redis://127.0.0.1:" + sentinelPort;
    }

    String sentinel() {
        return "127.0.0.1:" + sentinelPort;
    }

    /** Every Sentinel as host:port. */
    List<String> sentinels() {
        return sentinelPorts.stream().map(port -> "127.0.0.1:" + port).toList();
    }

    /**
     * {@code SENTINEL FAILOVER} on the first Sentinel, once it knows the replica (it learns it from the master's INFO):
     * the replica becomes the master; returns the Sentinel's reply.
     */
    String failover() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            String reply = command(sentinelPort, "SENTINEL FAILOVER " + MASTER_NAME);
            if (reply.startsWith("+OK") || System.nanoTime() - deadline > 0) {
                return reply;
            }
            TimeUnit.MILLISECONDS.sleep(100); // -NOGOODSLAVE until the Sentinel has seen the replica
        }
    }

    /** One inline command to the server at {@code port}; the first line of its reply. */
    static String command(int port, String line) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(2000);
            s.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            StringBuilder reply = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n' && reply.length() < 1000; c = in.read()) {
                reply.append((char) c);
            }
            return reply.toString().strip();
        }
    }

    /** SIGKILL to the master, as in a crash; the kernel closes its sockets. */
    void killMaster() throws InterruptedException {
        master.destroyForcibly();
        if (!master.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("redis master did not die");
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private Process launch(String role, String... argv) throws IOException {
        List<String> command = new ArrayList<>(List.of(argv));
        if (!role.startsWith("sentinel")) {
            command.addAll(List.of("--bind", "127.0.0.1", "--protected-mode", "no", "--daemonize", "no",
                    "--dir", dir.toString(), "--dbfilename", role + ".rdb", "--save", "", "--appendonly", "no"));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve(role + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    /** Waits, at most 10 s, until the server at {@code port} answers an inline PING with +PONG. */
    private void awaitPing(int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(1000);
                OutputStream out = s.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                byte[] reply = in.readNBytes(7);
                if (new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("redis on port " + port + " did not answer PING in 10 s; logs in " + dir);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
