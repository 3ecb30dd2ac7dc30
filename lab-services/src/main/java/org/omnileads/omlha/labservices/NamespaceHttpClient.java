package org.omnileads.omlha.labservices;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * An HTTP/1.0 client inside a lab namespace (a user behind the VIP): a new GET every period, whether or not the
 * earlier ones have been answered, each one recorded with when it was sent, when it ended, and the body or the
 * reason it failed. In the labs the body is the name of the host whose HAProxy answered.
 *
 * <p>One thread owns everything: it enters the namespace with setns(2) (which moves only the calling thread) and
 * opens every socket there, non-blocking, under one selector. A request that hangs (a SYN sent to a MAC that no
 * longer holds the VIP) therefore never delays the next one: the period stays the resolution of the
 * measurement. The thread stops on {@link #close()} or after its maximum duration, whichever comes first.
 */
public final class NamespaceHttpClient implements AutoCloseable {
    private static final int MAX_RESPONSE_BYTES = 64 * 1024;

    /** One request: sent and ended on {@link System#nanoTime()}; {@code body} when answered 200, else {@code failure}. */
    public record Exchange(long sentNanos, long endedNanos, boolean ok, String body, String failure) {
        @Override
        public String toString() {
            return ok ? "200 " + body : failure;
        }
    }

    /**
     * The longest time without a successful answer: from the answer {@code before} (the last one before the
     * failure) to the answer {@code after} (the first one that ended the gap), with the number of requests sent
     * between those two that failed (refused, or no answer within the timeout).
     */
    public record Outage(Exchange before, Exchange after, int failedRequests) {
        public long nanos() {
            return after.endedNanos() - before.endedNanos();
        }

        public double millis() {
            return nanos() / 1e6;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.1f ms without an answer (%s answered before, %s after; %d requests sent in between failed)",
                    millis(), before.body(), after.body(), failedRequests);
        }
    }

    private final String namespace;
    private final InetSocketAddress target;
    private final byte[] request;
    private final long periodNanos;
    private final long timeoutNanos;
    private final long maxDurationNanos;
    private final List<Exchange> exchanges = new ArrayList<>();
    private final NamespaceThread thread;
    private volatile boolean stopped;
    private volatile Selector selector;

    private NamespaceHttpClient(String namespace, InetSocketAddress target, String path, Duration period, Duration timeout,
            Duration maxDuration) {
        if (period.isNegative() || period.isZero() || timeout.isNegative() || timeout.isZero() || maxDuration.isNegative()) {
            throw new IllegalArgumentException("period and timeout must be positive, maxDuration not negative: " + period + ", "
                    + timeout + ", " + maxDuration);
        }
        this.namespace = namespace;
        this.target = target;
        this.request = requestBytes(target, path);
        this.periodNanos = period.toNanos();
        this.timeoutNanos = timeout.toNanos();
        this.maxDurationNanos = maxDuration.toNanos();
        this.thread = new NamespaceThread(namespace, "http-client", this::run);
    }

    /**
     * Starts GETting {@code http://target/path} from inside {@code namespace} (a name under /run/netns) every
     * {@code period}; a request not answered within {@code timeout} fails. Returns once the thread is in the
     * namespace; throws if it could not enter it.
     */
    public static NamespaceHttpClient start(String namespace, InetSocketAddress target, String path, Duration period,
            Duration timeout, Duration maxDuration) {
        NamespaceHttpClient client = new NamespaceHttpClient(namespace, target, path, period, timeout, maxDuration);
        client.thread.start("client", client::close);
        return client;
    }

    /** One GET from inside {@code namespace}, on a short-lived thread of its own; never throws for network failures. */
    public static Exchange fetch(String namespace, InetSocketAddress target, String path, Duration timeout) {
        CompletableFuture<Exchange> result = new CompletableFuture<>();
        Thread once = new Thread(() -> {
            try {
                enter(namespace);
                result.complete(fetchBlocking(target, path, timeout));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, "http-fetch-" + namespace);
        once.setDaemon(true);
        once.start();
        try {
            return result.get(timeout.toMillis() * 3 + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("a single GET in " + namespace + " did not end", e);
        }
    }

    /** Every request that has ended so far, in the order they ended. */
    public List<Exchange> exchanges() {
        synchronized (exchanges) {
            return List.copyOf(exchanges);
        }
    }

    /** The most recent successful answer, if any. */
    public Optional<Exchange> lastSuccess() {
        return Timeline.lastSuccess(exchanges(), Exchange::ok);
    }

    /** The first successful answer sent at or after {@code sentNanos} whose body satisfies {@code body}. */
    public Optional<Exchange> firstSuccessSentAfter(long sentNanos, Predicate<String> body) {
        return exchanges().stream()
                .filter(e -> e.ok() && e.sentNanos() - sentNanos >= 0 && body.test(e.body()))
                .min(Comparator.comparingLong(e -> e.sentNanos() - sentNanos));
    }

    /** The longest gap between successful answers that starts at the last answer before {@code fromNanos}. */
    public Optional<Outage> longestOutage(long fromNanos) {
        return longestOutage(exchanges(), fromNanos);
    }

    /**
     * The longest gap between two successive successful answers (by the time they ended) among those that ended
     * at or after {@code fromNanos}, plus the last one before it, so a gap that begins just before
     * {@code fromNanos} counts whole. Empty when there is no successful answer on both sides of a gap.
     */
    public static Optional<Outage> longestOutage(List<Exchange> exchanges, long fromNanos) {
        return Timeline.longestGap(exchanges, Exchange::ok, Exchange::endedNanos, fromNanos)
                .map(gap -> new Outage(gap.before(), gap.after(),
                        Timeline.failedWithin(exchanges, Exchange::ok, Exchange::sentNanos, gap)));
    }

    /** Why the client could not run (entering the namespace, the selector), if it could not. */
    public Optional<RuntimeException> failure() {
        return thread.failure();
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Stops sending, abandons the requests still open (they are not recorded) and waits for the thread. */
    @Override
    public void close() {
        stopped = true;
        Selector waiting = selector;
        if (waiting != null) {
            waiting.wakeup();
        }
        thread.join();
    }

    /** A request in flight: its channel and what is left to write and has been read. */
    private static final class Pending {
        final long sentNanos;
        final SocketChannel channel;
        final ByteBuffer out;
        final ByteArrayOutputStream in = new ByteArrayOutputStream();

        Pending(long sentNanos, SocketChannel channel, byte[] request) {
            this.sentNanos = sentNanos;
            this.channel = channel;
            this.out = ByteBuffer.wrap(request);
        }
    }

    private void run() {
        List<Pending> open = new ArrayList<>();
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
                if (now - nextSend >= 0) {
                    send(selector, open, now);
                    nextSend += periodNanos;
                    if (now - nextSend >= 0) {
                        nextSend = now + periodNanos; // a stalled thread skips the missed slots instead of bursting
                    }
                }
                expire(open, now);
                long wakeAt = nextSend;
                for (Pending p : open) {
                    long deadline = p.sentNanos + timeoutNanos;
                    if (deadline - wakeAt < 0) {
                        wakeAt = deadline;
                    }
                }
                long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(wakeAt - System.nanoTime()));
                selector.select(waitMillis);
                for (SelectionKey key : selector.selectedKeys()) {
                    advance(key, open, readBuffer);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            thread.fail(new IllegalStateException("client selector failed in " + namespace, e));
        } finally {
            for (Pending p : open) {
                closeQuietly(p.channel);
            }
        }
    }

    private void send(Selector selector, List<Pending> open, long now) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            Pending pending = new Pending(now, channel, request);
            int interest = channel.connect(target) ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT;
            channel.register(selector, interest, pending);
            open.add(pending);
        } catch (IOException e) {
            closeQuietly(channel);
            record(new Exchange(now, System.nanoTime(), false, null, describe(e)));
        }
    }

    private void advance(SelectionKey key, List<Pending> open, ByteBuffer readBuffer) {
        Pending p = (Pending) key.attachment();
        if (!key.isValid()) {
            return;
        }
        try {
            if (key.isConnectable()) {
                p.channel.finishConnect();
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
                        finish(p, open, new Exchange(p.sentNanos, System.nanoTime(), false, null, "response over " + MAX_RESPONSE_BYTES + " bytes"));
                    }
                } else if (n < 0) {
                    finish(p, open, parse(p.sentNanos, System.nanoTime(), p.in.toByteArray()));
                }
            }
        } catch (IOException e) {
            finish(p, open, new Exchange(p.sentNanos, System.nanoTime(), false, null, describe(e)));
        }
    }

    private void expire(List<Pending> open, long now) {
        for (Pending p : List.copyOf(open)) {
            if (now - (p.sentNanos + timeoutNanos) >= 0) {
                finish(p, open, new Exchange(p.sentNanos, now, false, null, "no answer within " + timeoutNanos / 1_000_000 + " ms"));
            }
        }
    }

    private void finish(Pending p, List<Pending> open, Exchange exchange) {
        open.remove(p);
        closeQuietly(p.channel);
        record(exchange);
    }

    private void record(Exchange exchange) {
        synchronized (exchanges) {
            exchanges.add(exchange);
        }
    }

    private static Exchange fetchBlocking(InetSocketAddress target, String path, Duration timeout) {
        long sent = System.nanoTime();
        int millis = (int) Math.max(1, timeout.toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(target, millis);
            socket.setSoTimeout(millis);
            OutputStream out = socket.getOutputStream();
            out.write(requestBytes(target, path));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] response = in.readNBytes(MAX_RESPONSE_BYTES);
            return parse(sent, System.nanoTime(), response);
        } catch (IOException e) {
            return new Exchange(sent, System.nanoTime(), false, null, describe(e));
        }
    }

    /** An HTTP/1.0 response read to EOF: a 200 yields its body without surrounding white space. */
    static Exchange parse(long sent, long ended, byte[] response) {
        String text = new String(response, StandardCharsets.ISO_8859_1);
        int headerEnd = text.indexOf("\r\n\r\n");
        int lineEnd = text.indexOf("\r\n");
        if (headerEnd < 0 || lineEnd < 0) {
            return new Exchange(sent, ended, false, null, "incomplete response: " + response.length + " bytes");
        }
        String[] statusLine = text.substring(0, lineEnd).split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
            return new Exchange(sent, ended, false, null, "not an HTTP status line: " + text.substring(0, lineEnd));
        }
        String body = text.substring(headerEnd + 4).strip();
        if (!statusLine[1].equals("200")) {
            return new Exchange(sent, ended, false, body, "HTTP " + statusLine[1]);
        }
        return new Exchange(sent, ended, true, body, null);
    }

    private static byte[] requestBytes(InetSocketAddress target, String path) {
        String host = target.getAddress().getHostAddress();
        return ("GET " + path + " HTTP/1.0\r\nHost: " + host + ":" + target.getPort() + "\r\nUser-Agent: omlha-lab\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static String describe(IOException e) {
        if (e instanceof ConnectException && e.getMessage() != null) {
            return e.getMessage().toLowerCase(Locale.ROOT);
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (e instanceof SocketTimeoutException) {
            return "timeout";
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing to do: the request is over either way
            }
        }
    }

    /** setns(2) into /run/netns/NAME: moves the calling thread only. */
    private static void enter(String namespace) {
        NetnsLab.enterNamespace(namespace);
    }
}
