package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** The JDK's HTTP server on 127.0.0.1, answering /health with a status the test sets; keeps connections alive. */
    static final class HealthServer implements AutoCloseable {
        final HttpServer server;
        final AtomicInteger status = new AtomicInteger(200);
        final List<Integer> clientPorts = new CopyOnWriteArrayList<>();
        volatile boolean closeEach;
        volatile CountDownLatch hold;

        HealthServer(HttpServer server) {
            this.server = server;
            server.createContext("/health", this::answer);
            server.start();
        }

        static HealthServer http() throws IOException {
            return new HealthServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
        }

        private void answer(HttpExchange exchange) throws IOException {
            clientPorts.add(exchange.getRemoteAddress().getPort());
            CountDownLatch waitFor = hold;
            if (waitFor != null) {
                try {
                    waitFor.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try (InputStream body = exchange.getRequestBody()) {
                body.readAllBytes();
            }
            if (closeEach) {
                exchange.getResponseHeaders().set("Connection", "close");
            }
            byte[] text = ("status " + status.get() + "\n").getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(status.get(), text.length);
            exchange.getResponseBody().write(text);
            exchange.close();
        }

        URI url(String scheme) {
            return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/health");
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static ProbeResult await(Probe probe) throws Exception {
        return probe.check().get(20, TimeUnit.SECONDS);
    }

    @Test
    void upOnTheExpectedStatusDownOnAnotherOverOneKeptConnection() throws Exception {
        try (HealthServer server = HealthServer.http();
             HttpProbe probe = new HttpProbe("web", server.url("http"), 200, true, TIMEOUT)) {
            ProbeResult up = await(probe);
            assertTrue(up.up(), up.detail());
            assertEquals("HTTP 200", up.detail());

            server.status.set(503);
            ProbeResult down = await(probe);
            assertFalse(down.up());
            assertEquals("HTTP 503, expected 200", down.detail());

            assertEquals(2, server.clientPorts.size());
            assertEquals(server.clientPorts.get(0), server.clientPorts.get(1), "the second request reused the connection");
        }
    }

    @Test
    void anotherExpectedStatus() throws Exception {
        try (HealthServer server = HealthServer.http();
             HttpProbe probe = new HttpProbe("web", server.url("http"), 204, true, TIMEOUT)) {
            server.status.set(204);
            assertEquals("HTTP 204", await(probe).detail());
            server.status.set(200);
            assertEquals("HTTP 200, expected 204", await(probe).detail());
        }
    }

    @Test
    void theKeptConnectionClosingFiresTheWatchAndTheNextCheckIsDown() throws Exception {
        HealthServer server = HealthServer.http();
        try (HttpProbe probe = new HttpProbe("haproxy", server.url("http"), 200, true, TIMEOUT)) {
            CountDownLatch changed = new CountDownLatch(1);
            probe.watch(changed::countDown);
            assertTrue(await(probe).up());

            server.close();

            assertTrue(changed.await(10, TimeUnit.SECONDS), "watch fired when the server closed the kept connection");
            ProbeResult down = await(probe);
            assertFalse(down.up());
            assertEquals("connection refused", down.detail());
        } finally {
            server.close();
        }
    }

    @Test
    void aServerThatClosesEachConnectionIsNotAnEventAndIsReconnected() throws Exception {
        try (HealthServer server = HealthServer.http();
             HttpProbe probe = new HttpProbe("web", server.url("http"), 200, true, TIMEOUT)) {
            server.closeEach = true;
            CountDownLatch changed = new CountDownLatch(1);
            probe.watch(changed::countDown);
            assertTrue(await(probe).up());
            assertTrue(await(probe).up());
            assertNotEquals(server.clientPorts.get(0), server.clientPorts.get(1), "a new connection each time");
            assertEquals(1, changed.getCount(), "a close announced by Connection: close is no event");
        }
    }

    @Test
    void aSlowServerTimesOutAndTheProbeRecovers() throws Exception {
        try (HealthServer server = HealthServer.http();
             HttpProbe probe = new HttpProbe("web", server.url("http"), 200, true, Duration.ofMillis(200))) {
            CountDownLatch release = new CountDownLatch(1);
            server.hold = release;
            ProbeResult slow = await(probe);
            assertFalse(slow.up());
            assertEquals("timed out after 200 ms", slow.detail());
            server.hold = null;
            release.countDown();
            ProbeResult again = await(probe);
            assertTrue(again.up(), again.detail());
        }
    }

    @Test
    void somethingThatIsNotHttpIsDown() throws Exception {
        try (java.net.ServerSocket raw = new java.net.ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             HttpProbe probe = new HttpProbe("web", URI.create("http://127.0.0.1:" + raw.getLocalPort() + "/"), 200, true,
                     TIMEOUT)) {
            Thread answer = new Thread(() -> {
                try (java.net.Socket socket = raw.accept()) {
                    socket.getOutputStream().write("SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII));
                    socket.getInputStream().read();
                } catch (IOException ignored) {
                    // the probe closed it
                }
            });
            answer.start();
            ProbeResult result = await(probe);
            assertFalse(result.up());
            assertTrue(result.detail().startsWith("bad HTTP response") || result.detail().startsWith("connection closed"),
                    result.detail());
            answer.join(10_000);
        }
    }

    @Test
    void httpsWithoutVerificationAcceptsASelfSignedCertificateAndWithVerificationRefusesIt(@TempDir Path dir)
            throws Exception {
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(selfSigned(dir)));
        try (HealthServer server = new HealthServer(https);
             HttpProbe insecure = new HttpProbe("web", server.url("https"), 200, false, TIMEOUT);
             HttpProbe verifying = new HttpProbe("web", server.url("https"), 200, true, TIMEOUT)) {
            ProbeResult up = await(insecure);
            assertTrue(up.up(), up.detail());
            assertTrue(await(insecure).up());
            assertEquals(server.clientPorts.get(0), server.clientPorts.get(1), "TLS connection kept too");

            ProbeResult refused = await(verifying);
            assertFalse(refused.up());
            assertTrue(refused.detail().startsWith("TLS handshake failed: "), refused.detail());
        }
    }

    /** A self-signed certificate for 127.0.0.1, made with the JDK's keytool. */
    private static SSLContext selfSigned(Path dir) throws Exception {
        Path store = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keyalg", "EC", "-alias", "server", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool: " + output);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new HttpProbe("w", URI.create("ftp://x/"), 200, true, TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> new HttpProbe("w", URI.create("http:///x"), 200, true, TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> new HttpProbe("w", URI.create("http://x/"), 99, true, TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> new HttpProbe("w", URI.create("http://x/"), 200, true, Duration.ZERO));
    }

    @Test
    void afterCloseACheckIsDown() throws Exception {
        HttpProbe probe = new HttpProbe("web", URI.create("http://127.0.0.1:1/"), 200, true, TIMEOUT);
        probe.close();
        probe.close();
        assertEquals("probe closed", await(probe).detail());
    }
}
