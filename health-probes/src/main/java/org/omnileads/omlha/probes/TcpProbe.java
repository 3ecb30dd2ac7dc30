package org.omnileads.omlha.probes;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * The {@code tcp} probe: up when a TCP connection to {@code host:port} is established within the timeout; the
 * connection is closed at once. Non-blocking (Netty, one I/O thread {@code probe-<name>-io}).
 */
public final class TcpProbe extends AbstractProbe {
    private static final ChannelHandler NOTHING = new Nothing();
    private final InetSocketAddress target;
    private final ProbeLoop probeLoop;
    private final Bootstrap bootstrap;

    /** {@code target} is {@code host:port}, {@code [v6-address]:port} for IPv6. */
    public TcpProbe(String name, String target, Duration timeout) {
        super(name, timeout);
        this.target = HostPort.parse(name, target).unresolved();
        this.probeLoop = new ProbeLoop("probe-" + name + "-io", null);
        this.bootstrap = new Bootstrap()
                .group(probeLoop.loop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis(timeout))
                .handler(NOTHING);
    }

    @Override
    void begin(Check check) {
        ChannelFuture connect = bootstrap.connect(target);
        connect.addListener((ChannelFuture done) -> {
            if (done.isSuccess()) {
                done.channel().close();
                check.up("connected in " + check.elapsedMillis() + " ms");
            } else {
                check.down(describe(done.cause(), timeout));
            }
        });
        check.onCancel(() -> {
            connect.cancel(false);
            connect.channel().close();
        });
    }

    @Override
    void release() {
        probeLoop.close(() -> { });
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
            return Check.timedOut(timeout);
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
