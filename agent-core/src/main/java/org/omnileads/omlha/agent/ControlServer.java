package org.omnileads.omlha.agent;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.omnileads.omlha.agent.status.AgentStatus;
import org.omnileads.omlha.agent.status.ChannelIo;
import org.omnileads.omlha.agent.status.StatusJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Unix-domain control socket. A client writes one command line ({@code status}, {@code maintenance on|off
 * [--force] [GROUP...]}, {@code event [WORD...]}) and reads one JSON document back; an event is acknowledged with
 * {@code {"ok":true}} as soon as it is queued, so its caller (repmgr's hook) never waits for what it starts. Its own thread: a slow client never delays the VRRP loop;
 * a maintenance request, which waits for the handover, is answered on a thread of its own so that status keeps
 * answering meanwhile.
 */
final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private static final int MAX_REQUEST_BYTES = 4096;
    static final String SOCKET_GROUP = "omlha";
    /** A client that connects and says nothing must not block the next one. */
    private static final long REQUEST_TIMEOUT_MILLIS = 2_000;

    /** A handover waits at most four advert intervals: VRRPv2's longest is 255 s. */
    private static final long MAINTENANCE_REPLY_TIMEOUT_MILLIS = 20 * 60_000;

    private final Path path;
    private final Supplier<AgentStatus> status;
    private final Function<String, String> maintenance;
    private final Consumer<String> events;
    private ServerSocketChannel server;
    private Thread thread;

    /** @param maintenance answers a {@code maintenance ...} line with {@link StatusJson#writeMaintenance} JSON */
    /** @param events takes the words of an {@code event} line; must not block */
    ControlServer(Path path, Supplier<AgentStatus> status, Function<String, String> maintenance, Consumer<String> events) {
        this.path = path;
        this.status = status;
        this.maintenance = maintenance;
        this.events = events;
    }

    void start() throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // A socket file left by a killed run (we hold the instance lock, so nobody answers on it). Anything else at
        // that path is not ours to delete.
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isRegularFile(path, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(path)) {
                throw new IOException("control.socket " + path + " exists and is not a socket");
            }
            Files.delete(path);
        }
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        shareWithGroup(path);
        thread = new Thread(this::serve, "control-socket");
        thread.setDaemon(true);
        thread.start();
    }

    /** Members of the {@code omlha} group (the RPM creates it) may ask for status without root. */
    private static void shareWithGroup(Path path) {
        try {
            java.nio.file.attribute.GroupPrincipal group =
                    path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(SOCKET_GROUP);
            Files.getFileAttributeView(path, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(group);
        } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
            log.debug("no group {} on this machine: the control socket stays root's", SOCKET_GROUP);
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("control socket {}: could not give it to group {}: {}", path, SOCKET_GROUP, e.toString());
        }
    }

    private void serve() {
        while (server.isOpen()) {
            SocketChannel client = null;
            try {
                client = server.accept();
                String command = ChannelIo.readLine(client, MAX_REQUEST_BYTES, REQUEST_TIMEOUT_MILLIS);
                if (command.equals("maintenance") || command.startsWith("maintenance ")) {
                    SocketChannel waiting = client;
                    client = null; // the maintenance thread answers and closes it
                    Thread worker = new Thread(() -> answerMaintenance(waiting, command), "control-maintenance");
                    worker.setDaemon(true);
                    worker.start();
                } else {
                    String reply;
                    if (command.equals("event") || command.startsWith("event ")) {
                        events.accept(command.substring("event".length()).strip());
                        reply = "{\"ok\":true}";
                    } else {
                        reply = command.equals("status") ? StatusJson.write(status.get()) : "{\"error\":\"unknown command\"}";
                    }
                    ChannelIo.writeAll(client, (reply + "\n").getBytes(StandardCharsets.UTF_8), REQUEST_TIMEOUT_MILLIS);
                }
            } catch (IOException e) {
                if (server.isOpen()) {
                    log.warn("control socket {}: {}", path, e.toString());
                }
            } catch (RuntimeException e) {
                log.warn("control socket {}: request failed: {}", path, e.toString());
            } finally {
                closeQuietly(client);
            }
        }
    }

    private void answerMaintenance(SocketChannel client, String command) {
        try {
            String reply = maintenance.apply(command);
            ChannelIo.writeAll(client, (reply + "\n").getBytes(StandardCharsets.UTF_8), MAINTENANCE_REPLY_TIMEOUT_MILLIS);
        } catch (IOException | RuntimeException e) {
            log.warn("control socket {}: {} failed: {}", path, command, e.toString());
        } finally {
            closeQuietly(client);
        }
    }

    private static void closeQuietly(SocketChannel client) {
        if (client != null) {
            try {
                client.close();
            } catch (IOException e) {
                log.debug("closing a control connection: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("closing control socket {}: {}", path, e.toString());
        }
    }
}
