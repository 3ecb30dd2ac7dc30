package org.omnileads.omlha.probes;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The {@code tcp} probe: up when a TCP connection to {@code host:port} is established within the timeout; the
 * connection is closed at once. Non-blocking (Netty, one I/O thread {@code probe-<name>-io}).
 */
public final class TcpProbe implements Probe {
    private static final ChannelHandler NOTHING = new Nothing();
    private final String name;
    private final InetSocketAddress target;
    private final Duration timeout;
    private final NioEventLoopGroup group;
    private final Bootstrap bootstrap;
    private volatile boolean closed;

    /** {@code target} is {@code host:port}, {@code [v6-address]:port} for IPv6. */
    public TcpProbe(String name, String target, Duration timeout) {
        this.name = Objects.requireNonNull(name, "name");
        this.target = HostPort.parse(name, target).unresolved();
        this.timeout = Probes.positiveTimeout(name, timeout);
        this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("probe-" + name + "-io", true));
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis(timeout))
                .handler(NOTHING);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletableFuture<ProbeResult> check() {
        if (closed) {
            return Probes.closedProbe();
        }
        long start = System.nanoTime();
        CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        ChannelFuture connect;
        try {
            connect = bootstrap.connect(target);
        } catch (RejectedExecutionException e) {
            result.complete(ProbeResult.down(System.nanoTime() - start, "probe closed"));
            return result;
        }
        connect.addListener((ChannelFuture done) -> {
            long took = System.nanoTime() - start;
            if (done.isSuccess()) {
                done.channel().close();
                result.complete(ProbeResult.up(took, "connected in " + TimeUnit.NANOSECONDS.toMillis(took) + " ms"));
            } else {
                result.complete(ProbeResult.down(took, describe(done.cause(), timeout)));
            }
        });
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                connect.cancel(false);
                connect.channel().close();
            }
        });
        return result;
    }

    @Override
    public void close() {
        closed = true;
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    @ChannelHandler.Sharable
    private static final class Nothing extends ChannelInboundHandlerAdapter {
    }

    static int connectTimeoutMillis(Duration timeout) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    /** Why a connection failed, in a few words: {@code connection refused}, {@code timed out after 500 ms}. */
    static String describe(Throwable failure, Duration timeout) {
        Throwable cause = failure;
        while (cause.getCause() != null && !(cause instanceof IOException)) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        if (cause instanceof ConnectTimeoutException) {
            return "timed out after " + timeout.toMillis() + " ms";
        }
        if (lower.contains("connection refused")) {
            return "connection refused";
        }
        if (lower.contains("connection reset")) {
            return "connection reset";
        }
        if (cause instanceof NoRouteToHostException || lower.contains("no route to host")) {
            return "no route to host";
        }
        if (lower.contains("network is unreachable")) {
            return "network unreachable";
        }
        if (cause instanceof UnknownHostException) {
            return "unknown host " + message;
        }
        if (cause instanceof SSLException) {
            return "TLS handshake failed: " + message;
        }
        if (cause instanceof ClosedChannelException) {
            return "connection closed";
        }
        if (cause instanceof ConnectException) {
            int at = message.indexOf(": ");
            return (at > 0 ? message.substring(0, at) : message).toLowerCase(Locale.ROOT);
        }
        return cause.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }
}
