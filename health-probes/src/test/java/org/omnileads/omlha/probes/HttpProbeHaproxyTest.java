package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real HAProxy (Debian package {@code haproxy}): its {@code monitor-uri} over a kept connection. */
class HttpProbeHaproxyTest {
    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

    /** HAProxy daemonized on 127.0.0.1: when start() returns, it listens (it binds before it forks). */
    static final class Haproxy implements AutoCloseable {
        final Path dir;
        final int port;

        Haproxy(Path dir) throws Exception {
            assertTrue(Files.isExecutable(HAPROXY), "HAProxy is needed: apt-get install -y haproxy");
            this.dir = dir;
            try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                this.port = free.getLocalPort();
            }
            Files.writeString(dir.resolve("haproxy.cfg"), String.join("\n",
                    "global",
                    "  maxconn 100",
                    "defaults",
                    "  mode http",
                    "  timeout connect 1s",
                    "  timeout client 60s",
                    "  timeout server 60s",
                    "  timeout http-keep-alive 60s",
                    "frontend health",
                    "  bind 127.0.0.1:" + port,
                    "  monitor-uri /health",
                    ""));
            Process launcher = new ProcessBuilder(HAPROXY.toString(), "-f", dir.resolve("haproxy.cfg").toString(), "-D",
                    "-p", dir.resolve("haproxy.pid").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
            assertTrue(launcher.waitFor(30, TimeUnit.SECONDS), "haproxy did not daemonize within 30 s");
            assertEquals(0, launcher.exitValue(), "haproxy failed: " + Files.readString(dir.resolve("haproxy.log")));
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + port + "/health");
        }

        void kill() throws IOException {
            Path pidfile = dir.resolve("haproxy.pid");
            if (!Files.exists(pidfile)) {
                return;
            }
            for (String line : Files.readAllLines(pidfile, StandardCharsets.US_ASCII)) {
                if (!line.isBlank()) {
                    ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }

        @Override
        public void close() throws IOException {
            kill();
        }
    }

    @Test
    void killingHaproxyFiresTheWatchAndTheNextCheckIsDown(@TempDir Path dir) throws Exception {
        try (Haproxy haproxy = new Haproxy(dir);
             HttpProbe probe = new HttpProbe("haproxy", haproxy.url(), 200, true, Duration.ofSeconds(2))) {
            CountDownLatch changed = new CountDownLatch(1);
            probe.watch(changed::countDown);
            ProbeResult up = probe.check().get(20, TimeUnit.SECONDS);
            assertTrue(up.up(), up.detail());
            assertEquals("HTTP 200", up.detail());

            haproxy.kill();

            assertTrue(changed.await(10, TimeUnit.SECONDS), "watch fired when HAProxy died");
            ProbeResult down = probe.check().get(20, TimeUnit.SECONDS);
            assertFalse(down.up());
            // The kill races the check: the reused connection may be reset rather than refused; both say HAProxy is gone.
            assertTrue(down.detail().matches("connection (refused|reset.*)"), down.detail());
        }
    }

    /** The whole chain: with an hourly interval, only the closed connection can make the scheduler notice. */
    @Test
    void theSchedulerReportsHaproxyDownAtOnce(@TempDir Path dir) throws Exception {
        BlockingQueue<Boolean> changes = new LinkedBlockingQueue<>();
        try (Haproxy haproxy = new Haproxy(dir);
             ProbeScheduler scheduler = new ProbeScheduler((name, up, result) -> changes.add(up))) {
            scheduler.add(new HttpProbe("haproxy", haproxy.url(), 200, true, Duration.ofSeconds(2)), Duration.ofHours(1),
                    Duration.ofSeconds(2), 1, 1);
            scheduler.start();
            assertEquals(Boolean.TRUE, changes.poll(20, TimeUnit.SECONDS));

            haproxy.kill();

            Boolean down = changes.poll(10, TimeUnit.SECONDS);
            assertNotNull(down, "no re-check within 10 s of HAProxy's death");
            assertFalse(down);
            String failure = scheduler.snapshots().get(0).lastFailure();
            assertTrue(failure.matches("connection (refused|reset.*)"), failure);
        }
    }
}
