package org.omnileads.omlha.labservices;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * A real Kamailio (Debian's package) on a lab host, in the foreground ({@code -DD -E}), with its own runtime folder
 * and pid file: the SIP service behind the VIP. Its whole config answers every OPTIONS with a stateless 200 whose
 * {@code Server} header names the host, so a client behind the VIP sees which node answered. By default it listens on
 * UDP {@value #PORT} of every address (0.0.0.0), so also on a VIP added later; it then answers from the address the
 * kernel's route picks (the node's own, not the VIP). Given addresses, it binds each one, a VIP too
 * ({@code net.ipv4.ip_nonlocal_bind=1} in the host's namespace, as a deployment on a VIP does), and answers from the
 * address the request came to.
 */
public final class LabKamailio {
    public static final int PORT = 5060;
    private static final String MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules/";
    private static final Duration READY_LIMIT = Duration.ofSeconds(10);

    private final NetnsLab lab;
    private final NetnsLab.Host host;
    private final Path dir;
    private final Path config;
    private final Path log;
    private final List<String> listen;
    private Process process;

    /** Listening on 0.0.0.0. */
    public LabKamailio(NetnsLab lab, NetnsLab.Host host) {
        this(lab, host, List.of());
    }

    /** Listening on each of {@code addresses} (empty: 0.0.0.0); one that is not on the host yet is bound all the same. */
    public LabKamailio(NetnsLab lab, NetnsLab.Host host, List<String> addresses) {
        this.listen = List.copyOf(addresses);
        this.lab = lab;
        this.host = host;
        this.dir = lab.workDir().resolve("kamailio-" + host.name());
        this.config = dir.resolve("kamailio.cfg");
        this.log = dir.resolve("kamailio.log");
    }

    public NetnsLab.Host host() {
        return host;
    }

    /** kamailio.cfg: UDP only, 2 children, stateless 200 to OPTIONS (Server: kamailio {@code answer}), 501 to the rest. */
    public static String config(String answer) {
        return config(answer, List.of());
    }

    /** The same, listening on each of {@code addresses} (empty: 0.0.0.0). */
    public static String config(String answer, List<String> addresses) {
        String listen = (addresses.isEmpty() ? List.of("0.0.0.0") : addresses).stream().map(a -> "listen=udp:" + a + ":" + PORT)
                .collect(Collectors.joining("\n"));
        return String.join("\n",
                "#!KAMAILIO",
                "debug=1",
                "log_stderror=yes",
                "children=2",
                "disable_tcp=yes",
                "auto_aliases=no",
                "dns=no",
                "rev_dns=no",
                listen,
                "server_header=\"Server: kamailio " + answer + "\"",
                "mpath=\"" + MODULES + "\"",
                "loadmodule \"sl.so\"",
                "request_route {",
                "  if (method==\"OPTIONS\") {",
                "    sl_send_reply(\"200\", \"OK\");",
                "    exit;",
                "  }",
                "  sl_send_reply(\"501\", \"Not Implemented\");",
                "}",
                "");
    }

    /** Writes the config, starts Kamailio and returns once it answers an OPTIONS on 127.0.0.1 inside the namespace. */
    public void start() throws IOException {
        if (isRunning()) {
            throw new IllegalStateException("Kamailio already runs on " + host.name());
        }
        Files.createDirectories(dir);
        if (!listen.isEmpty()) {
            lab.sysctl(host, "net.ipv4.ip_nonlocal_bind=1");
        }
        Files.writeString(config, config(host.name(), listen));
        Files.deleteIfExists(dir.resolve("kamailio.pid"));
        process = lab.start(host, List.of("kamailio", "-DD", "-E", "-f", config.toString(), "-Y", dir.toString(),
                "-P", dir.resolve("kamailio.pid").toString(), "-m", "32", "-M", "4"), log);
        long end = System.nanoTime() + READY_LIMIT.toNanos();
        while (System.nanoTime() - end < 0) {
            if (!process.isAlive()) {
                throw new IOException("Kamailio on " + host.name() + " exited (" + process.exitValue() + "): " + logTail());
            }
            if (answersLocally()) {
                return;
            }
            sleep(20);
        }
        throw new IOException("Kamailio on " + host.name() + " does not answer OPTIONS within " + READY_LIMIT.toSeconds() + " s: " + logTail());
    }

    /** One OPTIONS to 127.0.0.1 from inside the host's namespace: true on a 200 within 200 ms. */
    public boolean answersLocally() {
        try {
            return lab.call(host, () -> {
                try (DatagramSocket socket = new DatagramSocket(0)) {
                    socket.setSoTimeout(200);
                    String branch = "z9hG4bK-ready-" + System.nanoTime();
                    byte[] request = NamespaceSipClient.options("127.0.0.1", "127.0.0.1", socket.getLocalPort(), branch,
                            "ready-" + System.nanoTime(), 1).getBytes(StandardCharsets.US_ASCII);
                    socket.send(new DatagramPacket(request, request.length, new InetSocketAddress("127.0.0.1", PORT)));
                    byte[] buffer = new byte[4096];
                    DatagramPacket answer = new DatagramPacket(buffer, buffer.length);
                    socket.receive(answer);
                    return new String(buffer, 0, answer.getLength(), StandardCharsets.US_ASCII).startsWith("SIP/2.0 200");
                } catch (SocketTimeoutException e) {
                    return false;
                }
            });
        } catch (Exception e) {
            return false;
        }
    }

    /** SIGKILL of Kamailio and its children, waiting until they are reaped. */
    public void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> all = new java.util.ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(10, TimeUnit.SECONDS);
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
            throw new IOException("interrupted while waiting for Kamailio", e);
        }
    }
}
