package org.omnileads.omlha.probes;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Frames the Asterisk Manager Interface stream: first the banner line ({@code Asterisk Call Manager/5.0.1}, emitted
 * as a {@link Banner}), then messages ended by an empty line ({@code \r\n\r\n}, emitted as {@link AmiMessage}).
 * Both are bounded. The first protocol error ends the stream: it is thrown once as an {@link AmiProtocolException}
 * and every later byte is discarded, whatever the chunking of the input.
 */
public final class AmiDecoder extends ByteToMessageDecoder {

    /** The banner line, without its line ending. */
    public record Banner(String line) {
    }

    static final int MAX_BANNER_BYTES = 256;
    static final int MAX_MESSAGE_BYTES = 64 * 1024;

    private static final byte[] END_OF_MESSAGE = {'\r', '\n', '\r', '\n'};

    private boolean bannerSeen;
    private boolean failed;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!failed && in.isReadable()) {
            Object decoded = bannerSeen ? decodeMessage(in) : decodeBanner(in);
            if (decoded == null) {
                return;
            }
            out.add(decoded);
        }
        if (failed) {
            in.skipBytes(in.readableBytes());
        }
    }

    private Banner decodeBanner(ByteBuf in) {
        int window = Math.min(in.readableBytes(), MAX_BANNER_BYTES);
        int lf = in.indexOf(in.readerIndex(), in.readerIndex() + window, (byte) '\n');
        if (lf < 0) {
            if (in.readableBytes() >= MAX_BANNER_BYTES) {
                throw fail("no banner line in the first " + MAX_BANNER_BYTES + " bytes");
            }
            return null;
        }
        int length = lf - in.readerIndex();
        if (length > 0 && in.getByte(lf - 1) == '\r') {
            length--;
        }
        String line = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
        in.readerIndex(lf + 1);
        bannerSeen = true;
        return new Banner(line);
    }

    private AmiMessage decodeMessage(ByteBuf in) {
        int window = Math.min(in.readableBytes(), MAX_MESSAGE_BYTES + END_OF_MESSAGE.length);
        int end = indexOf(in, in.readerIndex(), in.readerIndex() + window, END_OF_MESSAGE);
        if (end < 0) {
            if (in.readableBytes() >= MAX_MESSAGE_BYTES + END_OF_MESSAGE.length) {
                throw fail("message longer than " + MAX_MESSAGE_BYTES + " bytes without an empty line");
            }
            return null;
        }
        String block = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.UTF_8);
        in.readerIndex(end + END_OF_MESSAGE.length);
        try {
            return AmiMessage.parse(block);
        } catch (AmiProtocolException e) {
            failed = true;
            throw e;
        }
    }

    private AmiProtocolException fail(String message) {
        failed = true;
        return new AmiProtocolException(message);
    }

    /** The index of {@code needle} in {@code [from, to)} of {@code buf}, or -1. */
    static int indexOf(ByteBuf buf, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buf.getByte(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
