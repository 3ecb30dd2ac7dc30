package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** {@link AmiDecoder} and {@link AmiMessage}: exact frames, split input, and arbitrary bytes. */
class AmiDecoderTest {

    private static final String BANNER = "Asterisk Call Manager/7.0.3\r\n";
    private static final String PONG = "Response: Success\r\nActionID: omlha-2\r\nPing: Pong\r\n"
            + "Timestamp: 1700000000.000000\r\n\r\n";

    @Example
    void decodesBannerThenMessages() {
        List<Object> out = decode(bytes(BANNER + PONG + "Event: FullyBooted\r\nStatus: Fully Booted\r\n\r\n"), 1);
        assertEquals(List.of(
                new AmiDecoder.Banner("Asterisk Call Manager/7.0.3"),
                AmiMessage.of("Response", "Success", "ActionID", "omlha-2", "Ping", "Pong",
                        "Timestamp", "1700000000.000000"),
                AmiMessage.of("Event", "FullyBooted", "Status", "Fully Booted")), out);
    }

    @Example
    void oneByteAtATimeGivesTheSameFrames() {
        byte[] input = bytes(BANNER + PONG + PONG);
        assertEquals(decode(input, input.length), decode(input, 1));
    }

    @Example
    void keysAreCaseInsensitiveAndValuesKeepColons() {
        AmiMessage message = AmiMessage.parse("response: Error\r\nMessage: Authentication failed: bad: x");
        assertEquals("Error", message.get("Response").orElseThrow());
        assertEquals("Authentication failed: bad: x", message.get("MESSAGE").orElseThrow());
    }

    @Example
    void encodesAnAction() {
        assertEquals("Action: Ping\r\nActionID: 7\r\n\r\n", AmiMessage.of("Action", "Ping", "ActionID", "7").encode());
    }

    @Example
    void lineWithoutColonIsAnError() {
        AmiProtocolException e = assertThrows(AmiProtocolException.class,
                () -> AmiMessage.parse("Response: Follows\r\nsome output"));
        assertEquals("line 2 has no colon: \"some output\"", e.getMessage());
    }

    @Example
    void tooLongMessageIsAnErrorAndTheRestIsDiscarded() {
        EmbeddedChannel channel = new EmbeddedChannel(new AmiDecoder());
        channel.writeInbound(Unpooled.wrappedBuffer(bytes(BANNER)));
        assertEquals(new AmiDecoder.Banner("Asterisk Call Manager/7.0.3"), channel.readInbound());
        byte[] flood = new byte[AmiDecoder.MAX_MESSAGE_BYTES + 4];
        Arrays.fill(flood, (byte) 'x');
        AmiProtocolException e = assertThrows(AmiProtocolException.class,
                () -> channel.writeInbound(Unpooled.wrappedBuffer(flood)));
        assertEquals("message longer than 65536 bytes without an empty line", e.getMessage());
        channel.writeInbound(Unpooled.wrappedBuffer(bytes(PONG)));
        assertNull(channel.readInbound(), "nothing after the first error");
        channel.finishAndReleaseAll();
    }

    @Example
    void bannerWithoutLineEndIsBounded() {
        EmbeddedChannel channel = new EmbeddedChannel(new AmiDecoder());
        byte[] noNewline = new byte[AmiDecoder.MAX_BANNER_BYTES];
        Arrays.fill(noNewline, (byte) 'A');
        AmiProtocolException e = assertThrows(AmiProtocolException.class,
                () -> channel.writeInbound(Unpooled.wrappedBuffer(noNewline)));
        assertEquals("no banner line in the first 256 bytes", e.getMessage());
        channel.finishAndReleaseAll();
    }

    /** Arbitrary bytes: only {@link AmiProtocolException}, and the chunking never changes what comes out. */
    @Property(seed = "3")
    void arbitraryBytesInAnyChunksDecodeTheSame(@ForAll("amiLike") byte[] input,
                                                @ForAll @IntRange(min = 1, max = 64) int chunk) {
        assertEquals(decode(input, input.length), decode(input, chunk));
    }

    @Property(seed = "3")
    void parseOnlyThrowsItsOwnException(@ForAll @Size(max = 300) String block) {
        try {
            AmiMessage message = AmiMessage.parse(block);
            assertEquals(message, AmiMessage.parse(message.encode().substring(0, message.encode().length() - 4)));
        } catch (AmiProtocolException expected) {
            // the typed failure is allowed
        }
    }

    @Provide
    Arbitrary<byte[]> amiLike() {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                Arbitraries.of("\r\n", "\r\n\r\n", ":", ": ", "\r", "\n", "Response: Success", "ActionID: 1",
                        "Asterisk Call Manager/5.0.1", PONG, BANNER),
                Arbitraries.strings().ofMaxLength(12));
        Arbitrary<byte[]> text = pieces.list().ofMaxSize(40)
                .map(list -> bytes(String.join("", list)));
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
        return Arbitraries.oneOf(text, raw);
    }

    /** Feeds {@code input} in chunks; returns the frames and, in place of a failure, its message. */
    private static List<Object> decode(byte[] input, int chunk) {
        EmbeddedChannel channel = new EmbeddedChannel(new AmiDecoder());
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < input.length; i += chunk) {
            byte[] piece = Arrays.copyOfRange(input, i, Math.min(input.length, i + chunk));
            try {
                channel.writeInbound(Unpooled.wrappedBuffer(piece));
            } catch (AmiProtocolException e) {
                drain(channel, out);
                out.add("error: " + e.getMessage());
                continue;
            }
            drain(channel, out);
        }
        channel.finishAndReleaseAll();
        return out;
    }

    private static void drain(EmbeddedChannel channel, List<Object> out) {
        Object frame;
        while ((frame = channel.readInbound()) != null) {
            out.add(frame);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
