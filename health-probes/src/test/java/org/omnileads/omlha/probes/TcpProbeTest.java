package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TcpProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    static ProbeResult await(Probe probe) throws Exception {
        return probe.check().get(20, TimeUnit.SECONDS);
    }

    /** A port nothing listens on: bound and released by the test. */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void upWhenAServerAccepts() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             TcpProbe probe = new TcpProbe("pg", "127.0.0.1:" + server.getLocalPort(), TIMEOUT)) {
            ProbeResult result = await(probe);
            assertTrue(result.up(), result.detail());
            assertTrue(result.detail().startsWith("connected in "), result.detail());
            ProbeResult again = await(probe);
            assertTrue(again.up(), "a probe checks again and again: " + again.detail());
        }
    }

    @Test
    void downWithConnectionRefusedOnAClosedPort() throws Exception {
        try (TcpProbe probe = new TcpProbe("pg", "127.0.0.1:" + closedPort(), TIMEOUT)) {
            ProbeResult result = await(probe);
            assertFalse(result.up());
            assertEquals("connection refused", result.detail());
        }
    }

    /** Linux drops SYNs to a listener whose accept queue is full: the connect times out. */
    @Test
    void downWithTimedOutWhenTheServerDoesNotAnswer() throws Exception {
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             TcpProbe probe = new TcpProbe("pg", "127.0.0.1:" + server.getLocalPort(), Duration.ofMillis(300))) {
            for (int i = 0; i < 3; i++) {
                Socket filler = new Socket();
                fillers.add(filler);
                try {
                    filler.connect(server.getLocalSocketAddress(), 300);
                } catch (IOException e) {
                    break; // the queue is full
                }
            }
            ProbeResult result = await(probe);
            assertFalse(result.up());
            assertEquals("timed out after 300 ms", result.detail());
        } finally {
            for (Socket filler : fillers) {
                filler.close();
            }
        }
    }

    @Test
    void anUnknownHostIsDown() throws Exception {
        try (TcpProbe probe = new TcpProbe("pg", "no-such-host.invalid:5432", TIMEOUT)) {
            ProbeResult result = await(probe);
            assertFalse(result.up());
            assertTrue(result.detail().startsWith("unknown host "), result.detail());
        }
    }

    @Test
    void afterCloseAChecksIsDownAndCloseIsIdempotent() throws Exception {
        TcpProbe probe = new TcpProbe("pg", "127.0.0.1:" + closedPort(), TIMEOUT);
        probe.close();
        probe.close();
        assertEquals("probe closed", await(probe).detail());
    }

    @Test
    void parsesTargets() {
        assertEquals(InetSocketAddress.createUnresolved("127.0.0.1", 5060),
                HostPort.parse("t", "127.0.0.1:5060").unresolved());
        assertEquals(InetSocketAddress.createUnresolved("::1", 80), HostPort.parse("t", "[::1]:80").unresolved());
        assertEquals("[::1]:80", HostPort.parse("t", "[::1]:80").toString());
        for (String bad : List.of("", "host", "host:", ":80", "::1:80", "host:0", "host:65536", "host:x")) {
            assertThrows(IllegalArgumentException.class, () -> HostPort.parse("t", bad), bad);
        }
    }
}
