package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The AMI probe against {@link AmiTestServer}, a small in-test server that speaks the documented Asterisk Manager
 * Interface protocol. It is a mock on purpose: Debian 12 has no Asterisk package, so a real Asterisk cannot be
 * installed here. Every wait is bounded by the probe's timeout or a latch with a deadline.
 */
class AmiProbeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private AmiTestServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = new AmiTestServer("omlha", "s3cret").start();
    }

    @AfterEach
    void stopServer() throws IOException {
        server.close();
    }

    @Test
    void upOnPongOverOneKeptConnection() throws Exception {
        try (AmiProbe probe = new AmiProbe("asterisk", server.target(), "omlha", "s3cret", TIMEOUT)) {
            for (int i = 0; i < 3; i++) {
                ProbeResult result = check(probe);
                assertTrue(result.up(), result.detail());
                assertTrue(result.detail().startsWith("Pong in "), result.detail());
            }
            assertEquals(1, server.connections(), "one kept connection");
            assertEquals(1, server.logins(), "one login");
        }
    }

    @Test
    void badSecretIsDownWithTheServersMessage() throws Exception {
        try (AmiProbe probe = new AmiProbe("asterisk", server.target(), "omlha", "wrong", TIMEOUT)) {
            ProbeResult result = check(probe);
            assertFalse(result.up());
            assertEquals("authentication failed: Authentication failed", result.detail());
        }
    }

    @Test
    void serverStoppedFiresWatchThenRefusedThenUpWhenBack() throws Exception {
        try (AmiProbe probe = new AmiProbe("asterisk", server.target(), "omlha", "s3cret", TIMEOUT)) {
            CountDownLatch changed = new CountDownLatch(1);
            probe.watch(changed::countDown);
            assertTrue(check(probe).up());

            server.stop();
            assertTrue(changed.await(5, TimeUnit.SECONDS), "watch callback after the connection closed");
            ProbeResult down = check(probe);
            assertFalse(down.up());
            assertEquals("connection refused", down.detail());

            server.start();
            ProbeResult again = check(probe);
            assertTrue(again.up(), again.detail());
            assertEquals(2, server.logins(), "a new login on the new connection");
        }
    }

    @Test
    void watchDoesNotFireWhenTheProbeClosesItsOwnConnection() throws Exception {
        CountDownLatch changed = new CountDownLatch(1);
        AmiProbe probe = new AmiProbe("asterisk", server.target(), "omlha", "s3cret", TIMEOUT);
        probe.watch(changed::countDown);
        assertTrue(check(probe).up());
        probe.close();
        server.stop();
        assertFalse(changed.await(200, TimeUnit.MILLISECONDS), "no watch after close()");
        probe.close();
    }

    @Test
    void unansweredPingIsDownAfterTheTimeoutAndTheConnectionIsKept() throws Exception {
        try (AmiProbe probe = new AmiProbe("asterisk", server.target(), "omlha", "s3cret", Duration.ofMillis(300))) {
            assertTrue(check(probe).up());
            server.answerPings(false);
            ProbeResult result = check(probe);
            assertFalse(result.up());
            assertEquals("no Pong in 300 ms", result.detail());
            server.answerPings(true);
            assertTrue(check(probe).up());
            assertEquals(1, server.connections());
        }
    }

    @Test
    void somethingElseOnThePortIsNotAnAmiServer() throws Exception {
        try (AmiTestServer ssh = new AmiTestServer("omlha", "s3cret", "SSH-2.0-OpenSSH_9.2p1").start();
             AmiProbe probe = new AmiProbe("asterisk", ssh.target(), "omlha", "s3cret", TIMEOUT)) {
            ProbeResult result = check(probe);
            assertFalse(result.up());
            assertEquals("not an AMI server: \"SSH-2.0-OpenSSH_9.2p1\"", result.detail());
        }
    }

    @Test
    void silentServerIsDownForNoBanner() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             AmiProbe probe = new AmiProbe("asterisk", "127.0.0.1:" + silent.getLocalPort(), "omlha", "s3cret",
                     Duration.ofMillis(300))) {
            ProbeResult result = check(probe);
            assertFalse(result.up());
            assertEquals("no AMI banner in 300 ms", result.detail());
        }
    }

    @Test
    void closedProbeAnswersDownAtOnce() throws Exception {
        AmiProbe probe = new AmiProbe("asterisk", server.target(), "omlha", "s3cret", TIMEOUT);
        probe.close();
        ProbeResult result = check(probe);
        assertFalse(result.up());
        assertEquals("probe closed", result.detail());
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class,
                () -> new AmiProbe("a", "127.0.0.1", "u", "s", TIMEOUT));
        assertThrows(IllegalArgumentException.class,
                () -> new AmiProbe("a", "127.0.0.1:0", "u", "s", TIMEOUT));
        assertThrows(IllegalArgumentException.class,
                () -> new AmiProbe("a", "::1:5038", "u", "s", TIMEOUT));
        assertThrows(IllegalArgumentException.class,
                () -> new AmiProbe("a", "127.0.0.1:5038", "u", "s\r\nAction: Originate", TIMEOUT));
        assertThrows(IllegalArgumentException.class,
                () -> new AmiProbe("a", "127.0.0.1:5038", "u", "s", Duration.ZERO));
    }

    private static ProbeResult check(Probe probe) throws Exception {
        return probe.check().get(10, TimeUnit.SECONDS);
    }
}
