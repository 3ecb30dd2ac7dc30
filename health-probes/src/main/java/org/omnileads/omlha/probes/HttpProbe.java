package org.omnileads.omlha.probes;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code http} probe: an HTTP/1.1 GET over one kept connection (keep-alive, reconnected when closed); up when
 * the status is the expected one ({@code HTTP 503, expected 200} otherwise). HTTPS with Netty's TLS, the server's
 * certificate and host name verified unless {@code tlsVerify} is false.
 *
 * <p>Event-driven: when the kept connection closes between checks (the server died or restarted), the watch
 * callback fires at once. A server that answers {@code Connection: close} (or without a length) is not watched: its
 * connection closes by design. A request on a reused connection that the server closed before answering (its idle
 * timeout racing our request) is retried once on a new connection.
 *
 * <p>All connection state lives on the probe's one I/O thread {@code probe-<name>-io}.
 */
public final class HttpProbe extends AbstractProbe {
    private static final Logger log = LoggerFactory.getLogger(HttpProbe.class);
    private static final int MAX_DETAIL = 200;

    private final int expectStatus;
    private final String host;
    private final int port;
    private final String requestTarget;
    private final String hostHeader;
    private final boolean tlsVerify;
    private final SslContext ssl;
    private final ProbeLoop probeLoop;
    private final EventLoop loop;
    private final Bootstrap bootstrap;

    private Connection kept;
    private Pending pending;

    public HttpProbe(String name, URI url, int expectStatus, boolean tlsVerify, Duration timeout) {
        super(name, timeout);
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("url must be http:// or https://, was " + url);
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("url has no host: " + url);
        }
        if (expectStatus < 100 || expectStatus > 599) {
            throw new IllegalArgumentException("expected status must be 100..599, was " + expectStatus);
        }
        this.expectStatus = expectStatus;
        this.tlsVerify = tlsVerify;
        String rawHost = url.getHost();
        this.host = rawHost.startsWith("[") ? rawHost.substring(1, rawHost.length() - 1) : rawHost;
        int defaultPort = scheme.equals("https") ? 443 : 80;
        this.port = url.getPort() == -1 ? defaultPort : url.getPort();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        this.requestTarget = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
        this.hostHeader = rawHost + (port == defaultPort ? "" : ":" + port);
        this.ssl = scheme.equals("https") ? clientContext(tlsVerify) : null;
        this.probeLoop = new ProbeLoop("probe-" + name + "-io", null);
        this.loop = probeLoop.loop();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, TcpProbe.connectTimeoutMillis(timeout));
    }

    private static SslContext clientContext(boolean tlsVerify) {
        SslContextBuilder builder = SslContextBuilder.forClient();
        if (!tlsVerify) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        }
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    @Override
    void begin(Check check) {
        execute(loop, check, () -> start(check));
        check.onCancel(() -> probeLoop.run(() -> {
            if (pending != null && pending.check == check) {
                fail(pending, "cancelled");
            }
        }));
    }

    @Override
    void release() {
        probeLoop.close(() -> {
            if (pending != null) {
                fail(pending, Check.CLOSED);
            }
            if (kept != null) {
                drop(kept);
            }
        });
    }

    /** One check in flight. */
    private static final class Pending {
        final Check check;
        Connection connection;
        boolean retried;

        Pending(Check check) {
            this.check = check;
        }
    }

    private void start(Check check) {
        if (pending != null) {
            fail(pending, "superseded by a newer check");
        }
        Pending p = new Pending(check);
        pending = p;
        check.onTimeout(loop, () -> {
            if (pending == p) {
                fail(p, check.timedOut());
            }
        });
        Connection reusable = kept;
        if (reusable != null && reusable.served && reusable.channel.isActive()) {
            send(p, reusable);
        } else {
            connect(p);
        }
    }

    private void connect(Pending p) {
        if (kept != null) {
            drop(kept);
        }
        Connection connection = new Connection();
        kept = connection;
        p.connection = connection;
        ChannelFuture connect = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                connection.channel = channel;
                if (ssl != null) {
                    SslHandler tls = ssl.newHandler(channel.alloc(), host, port);
                    if (tlsVerify) {
                        SSLEngine engine = tls.engine();
                        SSLParameters parameters = engine.getSSLParameters();
                        parameters.setEndpointIdentificationAlgorithm("HTTPS");
                        engine.setSSLParameters(parameters);
                    }
                    channel.pipeline().addLast(tls);
                }
                channel.pipeline().addLast(new HttpClientCodec(), connection);
            }
        }).connect(host, port);
        connect.addListener((ChannelFuture done) -> {
            if (!done.isSuccess()) {
                if (kept == connection) {
                    kept = null;
                }
                if (pending == p && p.connection == connection) {
                    fail(p, TcpProbe.describe(done.cause(), timeout));
                }
                return;
            }
            done.channel().closeFuture().addListener(closedFuture -> connectionClosed(connection));
            if (connection.dropped) {
                done.channel().close();
            } else if (pending == p) {
                send(p, connection);
            }
        });
    }

    private void send(Pending p, Connection connection) {
        p.connection = connection;
        connection.status = 0;
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, requestTarget,
                Unpooled.EMPTY_BUFFER);
        request.headers()
                .set(HttpHeaderNames.HOST, hostHeader)
                .set(HttpHeaderNames.USER_AGENT, "omlha-agent")
                .set(HttpHeaderNames.ACCEPT, "*/*");
        connection.channel.writeAndFlush(request).addListener(written -> {
            if (!written.isSuccess() && pending == p && p.connection == connection && !retry(p, connection)) {
                fail(p, TcpProbe.describe(written.cause(), timeout));
            }
        });
    }

    /** A reused connection that closed before any answer is the server's idle timeout: one new connection. */
    private boolean retry(Pending p, Connection connection) {
        if (p.retried || !connection.served || connection.status != 0 || closed()) {
            return false;
        }
        p.retried = true;
        drop(connection);
        connect(p);
        return true;
    }

    private void answered(Connection connection) {
        Pending p = pending;
        if (p == null || p.connection != connection) {
            return;
        }
        int status = connection.status;
        finish(p, status == expectStatus, status == expectStatus ? "HTTP " + status
                : "HTTP " + status + ", expected " + expectStatus);
    }

    private void connectionClosed(Connection connection) {
        if (kept == connection) {
            kept = null;
        }
        Pending p = pending;
        if (p != null && p.connection == connection) {
            if (!retry(p, connection)) {
                fail(p, connection.status == 0 ? "connection closed before the response" : "connection closed during the response");
            }
            return;
        }
        if (connection.served && !connection.dropped && !closed()) {
            log.debug("probe {}: kept connection to {}:{} closed", name, host, port);
            changed();
        }
    }

    private void fail(Pending p, String why) {
        finish(p, false, bounded(why));
        if (p.connection != null) {
            drop(p.connection);
        }
    }

    private void finish(Pending p, boolean up, String detail) {
        if (pending == p) {
            pending = null;
        }
        p.check.answer(up, detail, null);
    }

    /** Closes a connection on purpose: its closing is not an event. */
    private void drop(Connection connection) {
        connection.dropped = true;
        if (kept == connection) {
            kept = null;
        }
        if (connection.channel != null) {
            connection.channel.close();
        }
    }

    static String bounded(String detail) {
        return detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL - 3) + "...";
    }

    /** One connection's response reader; runs on the I/O thread. */
    private final class Connection extends SimpleChannelInboundHandler<HttpObject> {
        Channel channel;
        boolean served;
        boolean dropped;
        int status;
        boolean reusable;

        @Override
        protected void channelRead0(ChannelHandlerContext context, HttpObject message) {
            if (message.decoderResult().isFailure()) {
                Pending p = pending;
                if (p != null && p.connection == this) {
                    fail(p, "bad HTTP response: " + message.decoderResult().cause().getMessage());
                }
                drop(this);
                return;
            }
            if (message instanceof HttpResponse response) {
                status = response.status().code();
                reusable = HttpUtil.isKeepAlive(response)
                        && (HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response)
                            || status == 204 || status == 304);
            }
            if (message instanceof LastHttpContent) {
                if (status >= 100 && status < 200) {
                    status = 0;
                    return;
                }
                served = reusable && channel.isActive();
                answered(this);
                if (!served) {
                    drop(this);
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext context, Object event) {
            if (event instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
                Pending p = pending;
                if (p != null && p.connection == this) {
                    fail(p, TcpProbe.describe(handshake.cause(), timeout));
                }
            }
            context.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            Pending p = pending;
            if (p != null && p.connection == this && !retry(p, this)) {
                fail(p, TcpProbe.describe(cause, timeout));
            }
            drop(this);
        }
    }
}
