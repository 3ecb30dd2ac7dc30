package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** {@link SipResponse#parse}: real responses, compact forms, rejects, and arbitrary bytes. */
class SipResponseTest {

    /** What Kamailio 5.6.3 sent to the probe in this repository's lab, byte for byte. */
    private static final String KAMAILIO_200 = "SIP/2.0 200 OK\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:55924;branch=z9hG4bKabc;rport=55924;received=127.0.0.1\r\n"
            + "From: <sip:omlha@127.0.0.1>;tag=1\r\n"
            + "To: <sip:127.0.0.1:35060>;tag=b9dcc20e5ffba37e2b03af6a7ee57ad3.37899715\r\n"
            + "Call-ID: x1@127.0.0.1\r\n"
            + "CSeq: 1 OPTIONS\r\n"
            + "Server: kamailio (5.6.3 (x86_64/linux))\r\n"
            + "Content-Length: 0\r\n"
            + "\r\n";

    @Example
    void kamailios200() {
        assertEquals(new SipResponse(200, "OK", "x1@127.0.0.1", "z9hG4bKabc", "1 OPTIONS",
                "kamailio (5.6.3 (x86_64/linux))"), parse(KAMAILIO_200));
        assertTrue(parse(KAMAILIO_200).isFinal());
    }

    @Example
    void compactHeadersLowerCaseNamesAndSeveralVias() {
        SipResponse response = parse("SIP/2.0 404 Not Found\r\n"
                + "v: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKtop, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKbelow\r\n"
                + "via: SIP/2.0/UDP 10.0.0.3;branch=z9hG4bKthird\r\n"
                + "i: abc\r\n"
                + "cseq: 1 OPTIONS\r\n"
                + "User-Agent: Asterisk PBX 20.5.0\r\n\r\n");
        assertEquals(404, response.status());
        assertEquals("Not Found", response.reason());
        assertEquals("z9hG4bKtop", response.topViaBranch());
        assertEquals("abc", response.callId());
        assertEquals("OPTIONS", response.cseqMethod());
        assertEquals("Asterisk PBX 20.5.0", response.server());
    }

    @Example
    void provisionalIsNotFinal() {
        assertFalse(parse(KAMAILIO_200.replace("200 OK", "100 Trying")).isFinal());
    }

    @Example
    void aRequestIsNotAResponse() {
        SipMessageException e = assertThrows(SipMessageException.class,
                () -> parse("OPTIONS sip:127.0.0.1 SIP/2.0\r\nCall-ID: x\r\n\r\n"));
        assertEquals("not a SIP/2.0 response: \"OPTIONS sip:127.0.0.1 SIP/2.0\"", e.getMessage());
    }

    @Example
    void badStatusCodesAndMissingHeaders() {
        assertEquals("bad status code \"700\" (expected: 100-699)",
                assertThrows(SipMessageException.class, () -> parse("SIP/2.0 700 Odd\r\n\r\n")).getMessage());
        assertEquals("bad status code \"2x0\" (expected: 100-699)",
                assertThrows(SipMessageException.class, () -> parse("SIP/2.0 2x0 OK\r\n\r\n")).getMessage());
        assertEquals("no Call-ID header in 200 response",
                assertThrows(SipMessageException.class,
                        () -> parse(KAMAILIO_200.replace("Call-ID: x1@127.0.0.1\r\n", ""))).getMessage());
        assertEquals("no space after status code: \"SIP/2.0 2000\"",
                assertThrows(SipMessageException.class, () -> parse("SIP/2.0 2000\r\n\r\n")).getMessage());
    }

    @Example
    void badSliceIsItsOwnException() {
        assertThrows(SipMessageException.class, () -> SipResponse.parse(new byte[4], 2, 3));
        assertThrows(SipMessageException.class, () -> SipResponse.parse(new byte[4], -1, 1));
    }

    @Property(seed = "5")
    void arbitraryBytesOnlyThrowTheirOwnException(@ForAll @Size(max = 700) byte[] datagram) {
        tryParse(datagram);
    }

    @Property(seed = "5")
    void sipLikeTextOnlyThrowsItsOwnException(@ForAll("sipLike") String text) {
        tryParse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<String> sipLike() {
        return Arbitraries.oneOf(
                Arbitraries.of("SIP/2.0 ", "SIP/2.0 200 OK", "200", "1", "\r\n", "\n", " ", "\t", ":", ";", ",", "=",
                        "branch=", "Via:", "v:", "Call-ID:", "i:", "CSeq:", "1 OPTIONS", "z9hG4bK", KAMAILIO_200),
                Arbitraries.strings().ofMaxLength(8))
                .list().ofMaxSize(30).map(pieces -> String.join("", pieces));
    }

    private static void tryParse(byte[] datagram) {
        try {
            SipResponse response = SipResponse.parse(datagram);
            assertTrue(response.status() >= 100 && response.status() <= 699, response.toString());
        } catch (SipMessageException expected) {
            // the typed failure is allowed
        }
    }

    private static SipResponse parse(String text) {
        return SipResponse.parse(text.getBytes(StandardCharsets.UTF_8));
    }
}
