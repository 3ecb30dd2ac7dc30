package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sip-options probe against a real Kamailio 5.6 from Debian ({@link SipKamailio}; CI installs the
 * {@code kamailio} package and these tests fail, not skip, without it), against nothing listening, and against
 * {@link SipScriptedPeer} for what a real server does not do on demand (drop a request, send 1xx, stay silent).
 */
@SuppressWarnings("try") // the test servers' close() may be interrupted: a failure of the test
class SipOptionsProbeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @Test
    void kamailioAnswers200AndTheProbeIsUp() throws Exception {
        try (SipKamailio kamailio = SipKamailio.start(dir);
             SipOptionsProbe probe = new SipOptionsProbe("kamailio", kamailio.target(), TIMEOUT)) {
            ProbeResult result = check(probe);
            assertTrue(result.up(), result.detail() + "\n" + kamailio.logText());
            assertTrue(result.detail().matches("SIP 200 OK in \\d+ ms"), result.detail());
            SipFacts facts = result.facts(SipFacts.class).orElseThrow();
            assertEquals(200, facts.status());
            assertTrue(facts.server().startsWith("kamailio"), facts.toString());
            assertTrue(check(probe).up(), "a second check on the same socket");
        }
    }

    @Test
    void kamailioKilledMakesTheNextCheckDown() throws Exception {
        try (SipKamailio kamailio = SipKamailio.start(dir);
             SipOptionsProbe probe = new SipOptionsProbe("kamailio", kamailio.target(), Duration.ofMillis(800))) {
            assertTrue(check(probe).up());
            kamailio.kill();
            ProbeResult result = check(probe);
            assertFalse(result.up());
            assertTrue(result.detail().equals("ICMP port unreachable")
                    || result.detail().equals("no SIP response in 800 ms"), result.detail());
        }
    }

    @Test
    void nothingListeningIsPortUnreachable() throws Exception {
        int port;
        try (DatagramSocket probeForFreePort = new DatagramSocket(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = probeForFreePort.getLocalPort();
        }
        try (SipOptionsProbe probe = new SipOptionsProbe("sip", "127.0.0.1:" + port, TIMEOUT)) {
            ProbeResult result = check(probe);
            assertFalse(result.up());
            assertEquals("ICMP port unreachable", result.detail());
        }
    }

    @Test
    void silenceIsNoResponseWithinTheTimeout() throws Exception {
        try (SipScriptedPeer silent = new SipScriptedPeer((n, request) -> List.of());
             SipOptionsProbe probe = new SipOptionsProbe("sip", silent.target(), Duration.ofMillis(300))) {
            ProbeResult result = check(probe);
            assertFalse(result.up());
            assertEquals("no SIP response in 300 ms", result.detail());
        }
    }

    @Test
    void retransmitsOnTimerEIgnoresProvisionalAndStrayAndTakesAny404AsUp() throws Exception {
        try (SipScriptedPeer peer = new SipScriptedPeer((n, request) -> n == 1 ? List.of() : List.of(
                SipScriptedPeer.responseTo(request, "SIP/2.0 100 Trying"),
                SipScriptedPeer.responseTo(request.replaceAll("Call-ID: \\S+", "Call-ID: someone-else"),
                        "SIP/2.0 200 OK"),
                SipScriptedPeer.responseTo(request, "SIP/2.0 404 Not Found", "Server: Asterisk PBX 20.5.0")));
             SipOptionsProbe probe = new SipOptionsProbe("asterisk", peer.target(), TIMEOUT)) {
            ProbeResult result = check(probe);
            assertTrue(result.up(), result.detail());
            assertTrue(result.detail().matches("SIP 404 Not Found in \\d+ ms"), result.detail());
            assertEquals(new SipFacts(404, "Asterisk PBX 20.5.0"), result.facts());

            String first = peer.received().poll(1, TimeUnit.SECONDS);
            String retransmission = peer.received().poll(1, TimeUnit.SECONDS);
            assertNotNull(retransmission, "the request was sent again after T1");
            assertEquals(first, retransmission, "a retransmission is the same request");
        }
    }

    @Test
    void requestCarriesTheHeadersOfRfc3261() throws Exception {
        try (SipScriptedPeer peer = new SipScriptedPeer(
                (n, request) -> List.of(SipScriptedPeer.responseTo(request, "SIP/2.0 200 OK")));
             SipOptionsProbe probe = new SipOptionsProbe("sip", peer.target(), TIMEOUT)) {
            assertTrue(check(probe).up());
            String request = peer.received().poll(1, TimeUnit.SECONDS);
            assertNotNull(request);
            Matcher via = Pattern.compile("Via: SIP/2.0/UDP 127.0.0.1:(\\d+);branch=z9hG4bK[0-9a-f]{32};rport\r\n")
                    .matcher(request);
            assertTrue(via.find(), request);
            String local = "127.0.0.1:" + via.group(1);
            assertTrue(request.startsWith("OPTIONS sip:" + peer.target() + " SIP/2.0\r\n"), request);
            for (String header : List.of("Max-Forwards: 70", "To: <sip:" + peer.target() + ">", "CSeq: 1 OPTIONS",
                    "Contact: <sip:omlha@" + local + ">", "Accept: application/sdp", "User-Agent: omlha-agent")) {
                assertTrue(request.contains("\r\n" + header + "\r\n"), header + " in\n" + request);
            }
            assertTrue(Pattern.compile("\r\nFrom: <sip:omlha@" + Pattern.quote(local) + ">;tag=[0-9a-f]+\r\n")
                    .matcher(request).find(), request);
            assertTrue(Pattern.compile("\r\nCall-ID: [0-9a-f]+@127\\.0\\.0\\.1\r\n").matcher(request).find(), request);
            assertTrue(request.endsWith("\r\nContent-Length: 0\r\n\r\n"), request);
        }
    }

    @Test
    void eachCheckIsANewTransaction() throws Exception {
        try (SipScriptedPeer peer = new SipScriptedPeer(
                (n, request) -> List.of(SipScriptedPeer.responseTo(request, "SIP/2.0 200 OK")));
             SipOptionsProbe probe = new SipOptionsProbe("sip", peer.target(), TIMEOUT)) {
            assertTrue(check(probe).up());
            assertTrue(check(probe).up());
            String first = peer.received().poll(1, TimeUnit.SECONDS);
            String second = peer.received().poll(1, TimeUnit.SECONDS);
            assertNotNull(second);
            assertFalse(branch(first).equals(branch(second)), "a new branch per check");
        }
    }

    @Test
    void closedProbeAnswersDownAtOnce() throws Exception {
        SipOptionsProbe probe = new SipOptionsProbe("sip", "127.0.0.1:5060", TIMEOUT);
        probe.close();
        probe.close();
        ProbeResult result = check(probe);
        assertFalse(result.up());
        assertEquals("probe closed", result.detail());
    }

    @Test
    void timerEDoublesFromT1UpToT2() {
        assertEquals(List.of(500L, 1000L, 2000L, 4000L, 4000L, 4000L),
                List.of(1, 2, 3, 4, 5, 6).stream().map(SipOptionsProbe::retransmitIntervalMillis).toList());
        assertEquals(4000L, SipOptionsProbe.retransmitIntervalMillis(Integer.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> SipOptionsProbe.retransmitIntervalMillis(0));
    }

    @Test
    void optionsRequestIsByteExact() {
        assertEquals("OPTIONS sip:[2001:db8::1]:5060 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 192.0.2.1:40000;branch=z9hG4bKabc;rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:omlha@192.0.2.1:40000>;tag=t1\r\n"
                + "To: <sip:[2001:db8::1]:5060>\r\n"
                + "Call-ID: c1@192.0.2.1\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Contact: <sip:omlha@192.0.2.1:40000>\r\n"
                + "Accept: application/sdp\r\n"
                + "User-Agent: omlha-agent\r\n"
                + "Content-Length: 0\r\n"
                + "\r\n",
                SipOptionsProbe.optionsRequest("[2001:db8::1]:5060", "192.0.2.1:40000", "z9hG4bKabc", "t1",
                        "c1@192.0.2.1"));
    }

    @Test
    void rejectsBadTargets() {
        assertThrows(IllegalArgumentException.class, () -> new SipOptionsProbe("s", "127.0.0.1", TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> new SipOptionsProbe("s", "127.0.0.1:70000", TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> new SipOptionsProbe("s", "::1:5060", TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> new SipOptionsProbe("s", "127.0.0.1:5060", Duration.ZERO));
    }

    private static String branch(String request) {
        Matcher m = Pattern.compile("branch=(z9hG4bK[0-9a-f]+)").matcher(request);
        assertTrue(m.find(), request);
        return m.group(1);
    }

    private static ProbeResult check(Probe probe) throws Exception {
        return probe.check().get(10, TimeUnit.SECONDS);
    }
}
