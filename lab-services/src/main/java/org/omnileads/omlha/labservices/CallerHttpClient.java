package org.omnileads.omlha.labservices;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A caller inside a lab namespace (HTTP, or Redis writes: {@link #startRedisWrites}) that behaves as real callers do: every period a NEW TCP connection, with an
 * ordinary connect timeout (seconds, so a lost SYN costs the kernel's 1 s SYN retransmission instead of being hidden
 * by a client retry) and a reply timeout once connected; the requests run independently, several in flight at once.
 * Each one is recorded with its start, end, outcome (answered, refused, reset, timeout) and the node that answered
 * (the HAProxy body).
 *
 * <p>One thread entered the namespace with setns(2) and owns every socket under one selector, so a hanging request
 * never delays the next one. At most {@value #MAX_OPEN} requests are open at once (a send beyond that is recorded as
 * failed); the thread ends on {@link #close}, or after its maximum duration.
 */
public final class CallerHttpClient implements AutoCloseable {
    static final int MAX_OPEN = 2000;
    private static final int MAX_RESPONSE_BYTES = 64 * 1024;

    private final InetSocketAddress target;
    private final byte[] request;
    private final long periodNanos;
    private final long connectTimeoutNanos;
    private final long replyTimeoutNanos;
    private final long maxDurationNanos;
    private final List<LabCall> calls = new ArrayList<>();
    private final NamespaceThread thread;
    private volatile boolean sending = true;
    private volatile boolean stopped;
    private volatile int open;
    private volatile Selector selector;

    /** Turns what the server sent before it closed the connection into the request's record. */
    interface ReplyParser {
        LabCall parse(long sentNanos, long endedNanos, byte[] reply);
    }

    private final ReplyParser parser;

    private CallerHttpClient(String namespace, InetSocketAddress target, String path, Duration period, Duration connectTimeout,
            Duration replyTimeout, Duration maxDuration) {
        this(namespace, target, ("GET " + path + " HTTP/1.0\r\nHost: " + target.getAddress().getHostAddress() + ":" + target.getPort()
                + "\r\nUser-Agent: omlha-lab-caller\r\n\r\n").getBytes(StandardCharsets.US_ASCII), (sent, ended, reply) -> {
                    NamespaceHttpClient.Exchange e = NamespaceHttpClient.parse(sent, ended, reply);
                    return new LabCall(e.sentNanos(), e.endedNanos(), e.ok(), e.body(), e.failure(), 0);
                }, period, connectTimeout, replyTimeout, maxDuration, "http-caller");
    }

    private CallerHttpClient(String namespace, InetSocketAddress target, byte[] request, ReplyParser parser, Duration period,
            Duration connectTimeout, Duration replyTimeout, Duration maxDuration, String threadName) {
        if (period.isNegative() || period.isZero() || connectTimeout.isNegative() || connectTimeout.isZero() || replyTimeout.isNegative()
                || replyTimeout.isZero()) {
            throw new IllegalArgumentException("period and timeouts must be positive");
        }
        this.target = target;
        this.request = request;
        this.parser = parser;
        this.periodNanos = period.toNanos();
        this.connectTimeoutNanos = connectTimeout.toNanos();
        this.replyTimeoutNanos = replyTimeout.toNanos();
        this.maxDurationNanos = maxDuration.toNanos();
        this.thread = new NamespaceThread(namespace, threadName, this::run);
    }

    /** Starts calling {@code http://target/path} from inside {@code namespace}; returns once the thread is in it. */
    public static CallerHttpClient start(String namespace, InetSocketAddress target, String path, Duration period,
            Duration connectTimeout, Duration replyTimeout, Duration maxDuration) {
        CallerHttpClient client = new CallerHttpClient(namespace, target, path, period, connectTimeout, replyTimeout, maxDuration);
        client.thread.start("caller", () -> client.close(Duration.ZERO));
        return client;
    }

    /**
     * A Redis writer through {@code target}: every period a new connection sends {@code SET omlha:caller <n>} and
     * {@code QUIT}, so the server replies and closes. Answered means {@code +OK}: the server took the write (a replica
     * answers {@code -READONLY}, recorded as the failure). {@code node} is the write's reply.
     */
    public static CallerHttpClient startRedisWrites(String namespace, InetSocketAddress target, Duration period,
            Duration connectTimeout, Duration replyTimeout, Duration maxDuration) {
        byte[] request = ("*3\r\n$3\r\nSET\r\n$12\r\nomlha:caller\r\n$1\r\n1\r\n*1\r\n$4\r\nQUIT\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        CallerHttpClient client = new CallerHttpClient(namespace, target, request, CallerHttpClient::redisReply, period,
                connectTimeout, replyTimeout, maxDuration, "redis-caller");
        client.thread.start("caller", () -> client.close(Duration.ZERO));
        return client;
    }

    /** The first reply line decides: {@code +OK} is a write taken; anything else is why not. */
    static LabCall redisReply(long sentNanos, long endedNanos, byte[] reply) {
        String text = new String(reply, StandardCharsets.US_ASCII);
        int eol = text.indexOf("\r\n");
        String first = eol < 0 ? text : text.substring(0, eol);
        if (first.equals("+OK")) {
            return new LabCall(sentNanos, endedNanos, true, "+OK", null, 0);
        }
        return new LabCall(sentNanos, endedNanos, false, null, first.isEmpty() ? "closed without a reply" : first, 0);
    }

    /** Every request that has ended so far, in the order they ended. */
    public List<LabCall> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /** The most recent answered request's node, or null. */
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

    public int openRequests() {
        return open;
    }

    /**
     * Stops sending, lets the open requests end on their own for at most {@code drain} (their own timeouts bound
     * them), records the ones still open then as failed ("open at the end"), and waits for the thread.
     */
    /** Starts no new requests from now on; the open ones go on (see {@link #close(Duration)}). */
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
        close(Duration.ofMillis(connectTimeoutNanos / 1_000_000 + replyTimeoutNanos / 1_000_000 + 500));
    }

    private static final class Pending {
        final long sentNanos;
        final SocketChannel channel;
        final ByteBuffer out;
        final ByteArrayOutputStream in = new ByteArrayOutputStream();
        long connectedNanos;

        Pending(long sentNanos, SocketChannel channel, byte[] request) {
            this.sentNanos = sentNanos;
            this.channel = channel;
            this.out = ByteBuffer.wrap(request);
        }
    }

    private long deadline(Pending p) {
        return p.connectedNanos == 0 ? p.sentNanos + connectTimeoutNanos : p.connectedNanos + replyTimeoutNanos;
    }

    private void run() {
        List<Pending> pending = new ArrayList<>();
        ByteBuffer readBuffer = ByteBuffer.allocate(4096);
        try (Selector selector = Selector.open()) {
            this.selector = selector;
            long start = System.nanoTime();
            long end = start + maxDurationNanos;
            long nextSend = start;
            while (!stopped) {
                long now = System.nanoTime();
                if (now - end >= 0) {
                    break;
                }
                if (sending && now - nextSend >= 0) {
                    send(selector, pending, now);
                    nextSend += periodNanos;
                    if (now - nextSend >= 0) {
                        nextSend = now + periodNanos; // a stalled thread skips the missed slots instead of bursting
                    }
                }
                expire(pending, now);
                long wakeAt = sending ? nextSend : now + TimeUnit.MILLISECONDS.toNanos(5);
                for (Pending p : pending) {
                    long deadline = deadline(p);
                    if (deadline - wakeAt < 0) {
                        wakeAt = deadline;
                    }
                }
                long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(wakeAt - System.nanoTime()));
                selector.select(waitMillis);
                for (SelectionKey key : selector.selectedKeys()) {
                    advance(key, pending, readBuffer);
                }
                selector.selectedKeys().clear();
                open = pending.size();
            }
        } catch (IOException e) {
            thread.fail(new IllegalStateException("caller selector failed", e));
        } finally {
            long now = System.nanoTime();
            for (Pending p : pending) {
                closeQuietly(p.channel);
                record(new LabCall(p.sentNanos, now, false, null, "open at the end (" + (p.connectedNanos == 0 ? "connecting" : "connected, "
                        + p.in.size() + " bytes read") + ")", 0));
            }
            open = 0;
        }
    }

    private void send(Selector selector, List<Pending> pending, long now) {
        if (pending.size() >= MAX_OPEN) {
            record(new LabCall(now, now, false, null, "client: " + MAX_OPEN + " requests open", 0));
            return;
        }
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            Pending p = new Pending(now, channel, request);
            boolean connected = channel.connect(target);
            if (connected) {
                p.connectedNanos = System.nanoTime();
            }
            channel.register(selector, connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, p);
            pending.add(p);
        } catch (IOException e) {
            closeQuietly(channel);
            record(new LabCall(now, System.nanoTime(), false, null, describe(e), 0));
        }
    }

    private void advance(SelectionKey key, List<Pending> pending, ByteBuffer readBuffer) {
        Pending p = (Pending) key.attachment();
        if (!key.isValid()) {
            return;
        }
        try {
            if (key.isConnectable()) {
                p.channel.finishConnect();
                p.connectedNanos = System.nanoTime();
                key.interestOps(SelectionKey.OP_WRITE);
            }
            if (key.isValid() && key.isWritable() && (key.interestOps() & SelectionKey.OP_WRITE) != 0) {
                p.channel.write(p.out);
                if (!p.out.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
            }
            if (key.isValid() && key.isReadable()) {
                readBuffer.clear();
                int n = p.channel.read(readBuffer);
                if (n > 0) {
                    p.in.write(readBuffer.array(), 0, n);
                    if (p.in.size() > MAX_RESPONSE_BYTES) {
                        finish(p, pending, new LabCall(p.sentNanos, System.nanoTime(), false, null, "response too long", 0));
                    }
                } else if (n < 0) {
                    finish(p, pending, parser.parse(p.sentNanos, System.nanoTime(), p.in.toByteArray()));
                }
            }
        } catch (IOException e) {
            String why = p.connectedNanos == 0 ? "connect: " + describe(e) : describe(e);
            finish(p, pending, new LabCall(p.sentNanos, System.nanoTime(), false, null, why, 0));
        }
    }

    private void expire(List<Pending> pending, long now) {
        for (Pending p : List.copyOf(pending)) {
            if (now - deadline(p) >= 0) {
                String what = p.connectedNanos == 0 ? "connect timeout " + connectTimeoutNanos / 1_000_000 + " ms"
                        : "no reply within " + replyTimeoutNanos / 1_000_000 + " ms";
                finish(p, pending, new LabCall(p.sentNanos, now, false, null, what, 0));
            }
        }
    }

    private void finish(Pending p, List<Pending> pending, LabCall call) {
        pending.remove(p);
        closeQuietly(p.channel);
        record(call);
    }

    private void record(LabCall call) {
        synchronized (calls) {
            calls.add(call);
        }
    }

    static String describe(IOException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (e instanceof ConnectException) {
            return message.contains("refused") ? "refused (RST)" : message;
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (e instanceof SocketException && message.contains("reset")) {
            return "reset (RST)";
        }
        if (message.contains("reset")) {
            return "reset (RST)";
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // the request is over either way
            }
        }
    }
}
