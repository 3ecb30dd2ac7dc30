package org.omnileads.omlha.probes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for Asterisk's manager interface, for tests only: Debian 12 has no Asterisk package, so the AMI
 * probe is tested against this small server that speaks the documented protocol (Asterisk's manager.c and the
 * AMI docs): the banner line, {@code Login} with success or {@code Response: Error / Message: Authentication
 * failed} and a disconnect, {@code Ping} answered with {@code Response: Success, Ping: Pong, Timestamp},
 * {@code Logoff} with {@code Response: Goodbye}, and {@code Permission denied} before login. It listens on
 * 127.0.0.1 and can be stopped (every connection closed, like Asterisk dying) and started again on the same port.
 * It is written independently of the probe's decoder: a blocking line reader, one thread per connection.
 */
final class AmiTestServer implements AutoCloseable {

    private final String user;
    private final String secret;
    private final String banner;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger logins = new AtomicInteger();
    private volatile boolean answerPings = true;
    private volatile ServerSocket listener;
    private int port;

    AmiTestServer(String user, String secret) {
        this(user, secret, "Asterisk Call Manager/7.0.3");
    }

    AmiTestServer(String user, String secret, String banner) {
        this.user = user;
        this.secret = secret;
        this.banner = banner;
    }

    /** Listens on 127.0.0.1: a free port the first time, the same port after {@link #stop()}. */
    synchronized AmiTestServer start() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        port = socket.getLocalPort();
        listener = socket;
        Thread acceptor = new Thread(() -> acceptLoop(socket), "ami-test-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
        return this;
    }

    int port() {
        return port;
    }

    String target() {
        return "127.0.0.1:" + port;
    }

    /** TCP connections accepted so far. */
    int connections() {
        return connections.get();
    }

    /** Logins accepted so far. */
    int logins() {
        return logins.get();
    }

    /** When false, Ping actions get no answer at all, as from a deadlocked Asterisk. */
    void answerPings(boolean answer) {
        answerPings = answer;
    }

    /** Closes the listener and every connection, as when Asterisk stops. */
    synchronized void stop() throws IOException {
        ServerSocket socket = listener;
        listener = null;
        if (socket != null) {
            socket.close();
        }
        for (Socket client : clients) {
            client.close();
        }
        clients.clear();
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                connections.incrementAndGet();
                clients.add(client);
                Thread session = new Thread(() -> serve(client), "ami-test-session-" + port);
                session.setDaemon(true);
                session.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client;
             BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                     StandardCharsets.UTF_8))) {
            OutputStream out = client.getOutputStream();
            write(out, banner + "\r\n");
            boolean authenticated = false;
            Map<String, String> action;
            while ((action = readMessage(in)) != null) {
                String name = action.getOrDefault("action", "").toLowerCase(Locale.ROOT);
                String id = action.containsKey("actionid") ? "ActionID: " + action.get("actionid") + "\r\n" : "";
                switch (name) {
                    case "login" -> {
                        if (user.equals(action.get("username")) && secret.equals(action.get("secret"))) {
                            authenticated = true;
                            logins.incrementAndGet();
                            write(out, "Response: Success\r\n" + id + "Message: Authentication accepted\r\n\r\n");
                        } else {
                            write(out, "Response: Error\r\n" + id + "Message: Authentication failed\r\n\r\n");
                            return;
                        }
                    }
                    case "logoff" -> {
                        write(out, "Response: Goodbye\r\n" + id + "Message: Thanks for all the fish.\r\n\r\n");
                        return;
                    }
                    case "ping" -> {
                        if (!authenticated) {
                            write(out, "Response: Error\r\n" + id + "Message: Permission denied\r\n\r\n");
                        } else if (answerPings) {
                            write(out, "Response: Success\r\n" + id + "Ping: Pong\r\nTimestamp: "
                                    + System.currentTimeMillis() / 1000 + ".000000\r\n\r\n");
                        }
                    }
                    default -> write(out, "Response: Error\r\n" + id + "Message: Invalid/unknown command: "
                            + action.getOrDefault("action", "") + "\r\n\r\n");
                }
            }
        } catch (IOException closed) {
            // the probe or stop() closed the connection
        } finally {
            clients.remove(client);
        }
    }

    /** One message as lower-cased keys, or null at end of stream. */
    private static Map<String, String> readMessage(BufferedReader in) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) {
                if (fields.isEmpty()) {
                    continue;
                }
                return fields;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
        }
        return null;
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
