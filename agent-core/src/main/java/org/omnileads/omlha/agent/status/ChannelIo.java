package org.omnileads.omlha.agent.status;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** Reads and writes on the control socket with a deadline: neither side may hang on a silent peer. */
public final class ChannelIo {
    private ChannelIo() {}

    /** One line (without its newline), at most {@code maxBytes}, within {@code timeoutMillis}. */
    public static String readLine(SocketChannel channel, int maxBytes, long timeoutMillis) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        read(channel, maxBytes, timeoutMillis, line, true);
        return line.toString(StandardCharsets.UTF_8).trim();
    }

    /** Everything until the peer closes, at most {@code maxBytes}, within {@code timeoutMillis}. */
    public static String readToEnd(SocketChannel channel, int maxBytes, long timeoutMillis) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        read(channel, maxBytes, timeoutMillis, all, false);
        return all.toString(StandardCharsets.UTF_8);
    }

    public static void writeAll(SocketChannel channel, byte[] bytes, long timeoutMillis) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_WRITE);
            while (out.hasRemaining()) {
                if (channel.write(out) == 0) {
                    await(selector, deadline, "writing");
                }
            }
        }
    }

    private static void read(SocketChannel channel, int maxBytes, long timeoutMillis, ByteArrayOutputStream into, boolean untilNewline)
            throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        ByteBuffer buffer = ByteBuffer.allocate(16384);
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            while (true) {
                int n = channel.read(buffer);
                if (n < 0) {
                    return;
                }
                if (n == 0) {
                    await(selector, deadline, "reading");
                    continue;
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (untilNewline && b == '\n') {
                        return;
                    }
                    into.write(b);
                }
                buffer.clear();
                if (into.size() > maxBytes) {
                    throw new IOException("more than " + maxBytes + " bytes");
                }
            }
        }
    }

    private static void await(Selector selector, long deadline, String what) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0 || selector.select(left) == 0 && System.nanoTime() - deadline >= 0) {
            throw new SocketTimeoutException("no answer while " + what);
        }
        selector.selectedKeys().clear();
    }
}
