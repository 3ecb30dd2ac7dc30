package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Kamailio (Debian package {@code kamailio}, 5.6) for tests: a minimal configuration on 127.0.0.1 and a free
 * UDP port that answers OPTIONS with {@code sl_send_reply("200", "OK")} and anything else with 404, run in the
 * foreground ({@code -DD -E}) with one worker, its pid file and runtime dir in the test's temporary directory, in a
 * process group of its own ({@code setsid}). {@link #kill()} sends SIGKILL to the whole group, as a crash would.
 */
// "try": close() may be interrupted; the tests' try-with-resources let that through as a test failure.
@SuppressWarnings("try")
final class SipKamailio implements AutoCloseable {

    private static final List<String> BINARIES = List.of("/usr/sbin/kamailio", "/usr/local/sbin/kamailio");

    private final Process process;
    private final int port;
    private final Path log;

    private SipKamailio(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts Kamailio in {@code dir} and returns once it answers an OPTIONS request (at most 15 s). */
    static SipKamailio start(Path dir) throws Exception {
        String binary = BINARIES.stream().filter(b -> Files.isExecutable(Path.of(b))).findFirst().orElse(null);
        assertTrue(binary != null, "kamailio is not installed: CI must run `apt-get install -y kamailio`");
        int port = freeUdpPort();
        Path cfg = dir.resolve("kamailio.cfg");
        Files.writeString(cfg, """
                #!KAMAILIO
                debug=2
                log_stderror=yes
                children=1
                auto_aliases=no
                disable_tcp=yes
                listen=udp:127.0.0.1:%d
                loadmodule "sl.so"
                request_route {
                    if (method == "OPTIONS") {
                        sl_send_reply("200", "OK");
                        exit;
                    }
                    sl_send_reply("404", "Not Here");
                }
                """.formatted(port));
        Path runtime = Files.createDirectories(dir.resolve("run"));
        Path log = dir.resolve("kamailio.log");
        Process process = new ProcessBuilder("setsid", binary, "-f", cfg.toString(), "-DD", "-E", "-n", "1",
                "-Y", runtime.toString(), "-P", runtime.resolve("kamailio.pid").toString(), "-w", dir.toString(),
                "-m", "16", "-M", "4")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            awaitAnswer(process, port, log);
        } catch (Throwable t) {
            killGroup(process);
            process.waitFor(5, TimeUnit.SECONDS);
            throw t;
        }
        return new SipKamailio(process, port, log);
    }

    /** What Kamailio wrote to stderr, for failure messages. */
    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    String target() {
        return "127.0.0.1:" + port;
    }

    /**
     * SIGKILL to every Kamailio process (its workers inherit the UDP socket, so all must go): the whole process group,
     * which {@code setsid} made Kamailio lead. Waits at most 10 s for each, then checks that the port is free.
     */
    void kill() throws InterruptedException {
        List<ProcessHandle> workers = process.descendants().toList();
        killGroup(process);
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "kamailio did not die");
        for (ProcessHandle worker : workers) {
            try {
                worker.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                fail("kamailio worker " + worker.pid() + " did not die: " + e);
            }
        }
        try (DatagramSocket rebind = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            assertTrue(rebind.isBound());
        } catch (IOException e) {
            fail("port " + port + " still in use after every kamailio process exited: " + e);
        }
    }

    /** {@code kill -KILL -- -PGID}: setsid exec'd Kamailio in a new session, so its pid is the group's id. */
    private static void killGroup(Process process) throws InterruptedException {
        try {
            Process kill = new ProcessBuilder("bash", "-c", "kill -KILL -- -" + process.pid())
                    .redirectErrorStream(true).start();
            kill.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            fail("cannot run bash to kill kamailio's process group: " + e);
        } finally {
            process.destroyForcibly();
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    private static void awaitAnswer(Process process, int port, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            socket.setSoTimeout(200);
            String local = "127.0.0.1:" + socket.getLocalPort();
            byte[] request = SipOptionsProbe.optionsRequest("127.0.0.1:" + port, local, "z9hG4bKready", "ready",
                    "ready@127.0.0.1").getBytes(StandardCharsets.UTF_8);
            byte[] buffer = new byte[4096];
            while (System.nanoTime() - deadline < 0) {
                if (!process.isAlive()) {
                    fail("kamailio exited with " + process.exitValue() + ":\n" + Files.readString(log));
                }
                socket.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), port));
                try {
                    socket.receive(new DatagramPacket(buffer, buffer.length));
                    return;
                } catch (SocketTimeoutException notYet) {
                    // not listening yet
                }
            }
        }
        fail("kamailio did not answer OPTIONS within 15 s:\n" + Files.readString(log));
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return socket.getLocalPort();
        }
    }
}
