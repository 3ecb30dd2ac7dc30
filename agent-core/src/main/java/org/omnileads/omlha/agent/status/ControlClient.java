package org.omnileads.omlha.agent.status;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Asks a running agent over its control socket; used by {@code omlha-agent status}, the lab and the tests. */
public final class ControlClient {
    private static final int MAX_REPLY_BYTES = 4 * 1024 * 1024;
    /** A daemon that accepts but never answers (its loop stuck) is "no daemon" after this long. */
    private static final long TIMEOUT_MILLIS = 5_000;
    /** Four advert intervals of VRRPv2's longest (255 s), and some. */
    private static final long MAINTENANCE_TIMEOUT_MILLIS = 20 * 60_000;

    private ControlClient() {}

    /** The raw JSON the daemon answers to {@code status}. */
    public static String statusJson(Path socket) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ChannelIo.writeAll(channel, "status\n".getBytes(StandardCharsets.UTF_8), TIMEOUT_MILLIS);
            return ChannelIo.readToEnd(channel, MAX_REPLY_BYTES, TIMEOUT_MILLIS);
        }
    }

    /**
     * Sends {@code maintenance on|off [--force] [GROUP...]} and waits for the daemon's answer, which comes once every
     * group was handed over or its bound passed (up to four advert intervals).
     */
    public static MaintenanceReply maintenance(Path socket, String request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ChannelIo.writeAll(channel, (request + "\n").getBytes(StandardCharsets.UTF_8), TIMEOUT_MILLIS);
            return StatusJson.readMaintenance(ChannelIo.readToEnd(channel, MAX_REPLY_BYTES, MAINTENANCE_TIMEOUT_MILLIS));
        }
    }

    /** A daemon that accepts an event but does not acknowledge it this soon is left to it: the caller must go on. */
    private static final long EVENT_TIMEOUT_MILLIS = 1_000;

    /**
     * Sends {@code event WORDS} and returns once the daemon has queued it (it answers at once); an IOException when no
     * daemon answers on {@code socket}, within a second at most.
     */
    public static void event(Path socket, String words) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ChannelIo.writeAll(channel, ("event " + words + "\n").getBytes(StandardCharsets.UTF_8), EVENT_TIMEOUT_MILLIS);
            String reply = ChannelIo.readToEnd(channel, MAX_REPLY_BYTES, EVENT_TIMEOUT_MILLIS).strip();
            if (!reply.equals("{\"ok\":true}")) {
                throw new IOException("unexpected answer: " + reply);
            }
        }
    }

    public static AgentStatus status(Path socket) throws IOException {
        return StatusJson.read(statusJson(socket));
    }
}
