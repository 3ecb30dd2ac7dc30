package org.omnileads.omlha.agent.status;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Asks a running agent over its control socket; used by {@code omlha-agent status}, the lab and the tests. */
public final class ControlClient {
    private static final int MAX_REPLY_BYTES = 4 * 1024 * 1024;

    private ControlClient() {}

    /** The raw JSON the daemon answers to {@code status}. */
    public static String statusJson(Path socket) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap("status\n".getBytes(StandardCharsets.UTF_8)));
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(16384);
            while (channel.read(buffer) > 0) {
                reply.write(buffer.array(), 0, buffer.position());
                buffer.clear();
                if (reply.size() > MAX_REPLY_BYTES) {
                    throw new IOException("reply from " + socket + " larger than " + MAX_REPLY_BYTES + " bytes");
                }
            }
            return reply.toString(StandardCharsets.UTF_8);
        }
    }

    public static AgentStatus status(Path socket) throws IOException {
        return StatusJson.read(statusJson(socket));
    }
}
