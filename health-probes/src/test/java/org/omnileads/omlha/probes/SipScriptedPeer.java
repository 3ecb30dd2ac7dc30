package org.omnileads.omlha.probes;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BiFunction;

/**
 * A UDP peer on 127.0.0.1 for SIP tests that need answers no real server gives on demand (a dropped first request,
 * a provisional response, a stray response, silence). It records every datagram it receives and answers with what
 * {@code script} returns for (request number from 1, request text): a list of datagrams, possibly empty.
 */
// "try": close() may be interrupted; the tests' try-with-resources let that through as a test failure.
@SuppressWarnings("try")
final class SipScriptedPeer implements AutoCloseable {

    private final DatagramSocket socket;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final Thread thread;

    SipScriptedPeer(BiFunction<Integer, String, List<String>> script) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(() -> serve(script), "sip-scripted-peer");
        thread.setDaemon(true);
        thread.start();
    }

    String target() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    BlockingQueue<String> received() {
        return received;
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(5000);
    }

    /** A response to {@code request} that copies its Via, From, To, Call-ID and CSeq, as RFC 3261 §8.2.6.2 says. */
    static String responseTo(String request, String statusLine, String... extraHeaders) {
        StringBuilder response = new StringBuilder(statusLine).append("\r\n");
        for (String line : request.split("\r\n")) {
            String lower = line.toLowerCase();
            if (lower.startsWith("via:") || lower.startsWith("from:") || lower.startsWith("call-id:")
                    || lower.startsWith("cseq:")) {
                response.append(line).append("\r\n");
            } else if (lower.startsWith("to:")) {
                response.append(line).append(";tag=peer\r\n");
            }
        }
        for (String header : extraHeaders) {
            response.append(header).append("\r\n");
        }
        return response.append("Content-Length: 0\r\n\r\n").toString();
    }

    private void serve(BiFunction<Integer, String, List<String>> script) {
        byte[] buffer = new byte[65535];
        int count = 0;
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                String request = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
                received.add(request);
                for (String reply : script.apply(++count, request)) {
                    byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
                    socket.send(new DatagramPacket(bytes, bytes.length, packet.getSocketAddress()));
                }
            } catch (IOException closed) {
                return;
            }
        }
    }
}
