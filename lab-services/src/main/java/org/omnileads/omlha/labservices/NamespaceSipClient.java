package org.omnileads.omlha.labservices;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A SIP caller inside a lab namespace: every period a new OPTIONS transaction over UDP, each a non-INVITE client
 * transaction as RFC 3261 section 17.1.2.1 runs it: sent again when Timer E fires (T1 = 500 ms, doubling up to
 * T2 = 4 s; T2 once a provisional answer came), given up when Timer F fires (64 x T1 = 32 s by the RFC; the owner may
 * set it lower and says so). Every transaction has its own Call-ID and branch; answers are matched by the branch of
 * their top Via, whatever address they come from. Each one is recorded with its start, the time of its final answer,
 * its retransmissions and the node that answered (the {@code Server} header).
 *
 * <p>One thread entered the namespace with setns(2) and owns the one UDP socket (a UA's single SIP port); at most
 * {@value #MAX_OPEN} transactions are open at once; the thread ends on {@link #close}, or after its maximum duration.
 */
public final class NamespaceSipClient implements AutoCloseable {
    public static final Duration T1 = Duration.ofMillis(500);
    public static final Duration T2 = Duration.ofSeconds(4);
    static final int MAX_OPEN = 5000;

    private final InetSocketAddress target;
    private final String localAddress;
    private final long periodNanos;
    private final long timerFNanos;
    private final long maxDurationNanos;
    private final List<LabCall> calls = new ArrayList<>();
    private final NamespaceThread thread;
    private volatile boolean sending = true;
    private volatile boolean stopped;
    private volatile int open;
    private volatile Selector selector;
    private long sequence;

    private NamespaceSipClient(String namespace, InetSocketAddress target, String localAddress, Duration period, Duration timerF,
            Duration maxDuration) {
        this.target = target;
        this.localAddress = localAddress;
        this.periodNanos = period.toNanos();
        this.timerFNanos = timerF.toNanos();
        this.maxDurationNanos = maxDuration.toNanos();
        this.thread = new NamespaceThread(namespace, "sip-caller", this::run);
    }

    /**
     * Starts the OPTIONS transactions to {@code target} from inside {@code namespace}, whose address
     * {@code localAddress} goes into the Via; {@code timerF} is Timer F (64 x T1 by the RFC).
     */
    public static NamespaceSipClient start(String namespace, InetSocketAddress target, String localAddress, Duration period,
            Duration timerF, Duration maxDuration) {
        NamespaceSipClient client = new NamespaceSipClient(namespace, target, localAddress, period, timerF, maxDuration);
        client.thread.start("sip caller", () -> client.close(Duration.ZERO));
        return client;
    }

    /** An OPTIONS request, as a UA sends it. */
    static String options(String targetHost, String viaHost, int viaPort, String branch, String callId, long cseq) {
        return "OPTIONS sip:" + targetHost + ":" + LabKamailio.PORT + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + viaHost + ":" + viaPort + ";branch=" + branch + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:bench@" + viaHost + ">;tag=" + Long.toHexString(cseq * 2654435761L) + "\r\n"
                + "To: <sip:" + targetHost + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " OPTIONS\r\n"
                + "User-Agent: omlha-lab-caller\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    public List<LabCall> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /** The node of the most recent 200, or null. */
    public String lastNode() {
        synchronized (calls) {
            for (int i = calls.size() - 1; i >= 0; i--) {
                if (calls.get(i).ok()) {
                    return calls.get(i).node();
                }
            }
        }
        return null;
    }

    public int openTransactions() {
        return open;
    }

    /** Stops starting transactions, lets the open ones end for at most {@code drain}, records the rest as failed. */
    /** Starts no new transactions from now on; the open ones go on (see {@link #close(Duration)}). */
    public void stopSending() {
        sending = false;
    }

    public void close(Duration drain) {
        sending = false;
        long end = System.nanoTime() + drain.toNanos();
        while (open > 0 && System.nanoTime() - end < 0 && thread.isAlive()) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stopped = true;
        Selector waiting = selector;
        if (waiting != null) {
            waiting.wakeup();
        }
        thread.join();
    }

    @Override
    public void close() {
        close(Duration.ofNanos(timerFNanos));
    }

    private static final class Transaction {
        final long sentNanos;
        final byte[] request;
        long timerENanos;
        long nextNanos;
        int retransmissions;
        boolean proceeding;

        Transaction(long sentNanos, byte[] request) {
            this.sentNanos = sentNanos;
            this.request = request;
            this.timerENanos = T1.toNanos();
            this.nextNanos = sentNanos + timerENanos;
        }
    }

    private void run() {
        Map<String, Transaction> pending = new HashMap<>();
        ByteBuffer in = ByteBuffer.allocate(8192);
        try (Selector selector = Selector.open(); DatagramChannel channel = DatagramChannel.open()) {
            this.selector = selector;
            channel.bind(new InetSocketAddress(0));
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            int localPort = ((InetSocketAddress) channel.getLocalAddress()).getPort();
            String callIdBase = Long.toHexString(System.nanoTime()) + "@" + localAddress;
            long start = System.nanoTime();
            long end = start + maxDurationNanos;
            long nextSend = start;
            while (!stopped) {
                long now = System.nanoTime();
                if (now - end >= 0) {
                    break;
                }
                if (sending && now - nextSend >= 0) {
                    if (pending.size() >= MAX_OPEN) {
                        record(new LabCall(now, now, false, null, "client: " + MAX_OPEN + " transactions open", 0));
                    } else {
                        long id = ++sequence;
                        String branch = "z9hG4bK-" + Long.toHexString(start) + "-" + id;
                        byte[] request = options(target.getAddress().getHostAddress(), localAddress, localPort, branch,
                                id + "-" + callIdBase, id).getBytes(StandardCharsets.US_ASCII);
                        Transaction t = new Transaction(now, request);
                        pending.put(branch, t);
                        transmit(channel, t);
                    }
                    nextSend += periodNanos;
                    if (now - nextSend >= 0) {
                        nextSend = now + periodNanos;
                    }
                }
                long wakeAt = sending ? nextSend : now + TimeUnit.MILLISECONDS.toNanos(5);
                for (var it = pending.entrySet().iterator(); it.hasNext();) {
                    Transaction t = it.next().getValue();
                    if (now - (t.sentNanos + timerFNanos) >= 0) {
                        it.remove();
                        record(new LabCall(t.sentNanos, now, false, null, "Timer F (" + timerFNanos / 1_000_000 + " ms)", t.retransmissions));
                        continue;
                    }
                    if (now - t.nextNanos >= 0) {
                        transmit(channel, t);
                        t.retransmissions++;
                        t.timerENanos = t.proceeding ? T2.toNanos() : Math.min(2 * t.timerENanos, T2.toNanos());
                        t.nextNanos = now + t.timerENanos;
                    }
                    long due = Math.min(t.nextNanos, t.sentNanos + timerFNanos);
                    if (due - wakeAt < 0) {
                        wakeAt = due;
                    }
                }
                open = pending.size();
                long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(wakeAt - System.nanoTime()));
                selector.select(waitMillis);
                selector.selectedKeys().clear();
                while (true) {
                    in.clear();
                    if (channel.receive(in) == null) {
                        break;
                    }
                    answer(pending, new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII), System.nanoTime());
                }
                open = pending.size();
            }
            long now = System.nanoTime();
            for (Transaction t : pending.values()) {
                record(new LabCall(t.sentNanos, now, false, null, "open at the end", t.retransmissions));
            }
        } catch (IOException e) {
            thread.fail(new IllegalStateException("SIP caller failed", e));
        } finally {
            open = 0;
        }
    }

    private void transmit(DatagramChannel channel, Transaction t) {
        try {
            channel.send(ByteBuffer.wrap(t.request), target);
        } catch (IOException e) {
            // as a UA: the datagram is lost, Timer E sends it again
        }
    }

    private void answer(Map<String, Transaction> pending, String response, long now) {
        if (!response.startsWith("SIP/2.0 ")) {
            return;
        }
        int code;
        try {
            code = Integer.parseInt(response.substring(8, 11));
        } catch (RuntimeException e) {
            return;
        }
        String branch = null;
        String server = null;
        for (String line : response.split("\r\n")) {
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if (branch == null && (lower.startsWith("via:") || lower.startsWith("v:"))) {
                int at = line.indexOf("branch=");
                if (at >= 0) {
                    int stop = at + 7;
                    while (stop < line.length() && line.charAt(stop) != ';' && line.charAt(stop) != ',' && line.charAt(stop) != ' ') {
                        stop++;
                    }
                    branch = line.substring(at + 7, stop);
                }
            } else if (lower.startsWith("server:")) {
                server = line.substring(7).trim();
                int space = server.lastIndexOf(' ');
                server = space >= 0 ? server.substring(space + 1) : server;
            } else if (line.isEmpty()) {
                break;
            }
        }
        Transaction t = branch == null ? null : pending.get(branch);
        if (t == null) {
            return; // a late answer to a retransmission, or not ours
        }
        if (code < 200) {
            t.proceeding = true;
            return;
        }
        pending.remove(branch);
        record(new LabCall(t.sentNanos, now, code == 200, server, code == 200 ? null : "SIP " + code, t.retransmissions));
    }

    private void record(LabCall call) {
        synchronized (calls) {
            calls.add(call);
        }
    }
}
