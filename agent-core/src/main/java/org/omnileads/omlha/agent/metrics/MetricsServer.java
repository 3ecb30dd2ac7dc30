package org.omnileads.omlha.agent.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code GET /metrics} for Prometheus, on its own Netty thread (a slow scraper never touches the VRRP loop). */
public final class MetricsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Channel channel;
    private final EventLoopGroup group;

    private MetricsServer(Channel channel, EventLoopGroup group) {
        this.channel = channel;
        this.group = group;
    }

    /** Listens on {@code listen} ("host:port", "[v6]:port"); fails at once when the port is taken. */
    public static MetricsServer start(String listen, PrometheusMetrics metrics) throws InterruptedException {
        InetSocketAddress address = parse(listen);
        EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("metrics-http", true));
        try {
            Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new Handler(metrics));
                        }
                    })
                    .bind(address).sync().channel();
            log.info("metrics: http://{}/metrics", listen);
            return new MetricsServer(channel, group);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    static InetSocketAddress parse(String listen) {
        int colon = listen.lastIndexOf(':');
        String host = listen.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(listen.substring(colon + 1)));
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final PrometheusMetrics metrics;

        Handler(PrometheusMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
            FullHttpResponse response;
            String path = request.uri().split("\\?", 2)[0];
            if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
                response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET\n", "text/plain");
            } else if (path.equals("/metrics")) {
                String body;
                try {
                    body = metrics.scrape();
                } catch (RuntimeException e) {
                    response = text(HttpResponseStatus.SERVICE_UNAVAILABLE, "agent not answering: " + e.getMessage() + "\n", "text/plain");
                    write(context, request, response);
                    return;
                }
                response = text(HttpResponseStatus.OK, body, CONTENT_TYPE);
            } else if (path.equals("/")) {
                response = text(HttpResponseStatus.OK, "omlha-agent: metrics at /metrics\n", "text/plain");
            } else {
                response = text(HttpResponseStatus.NOT_FOUND, "not found: try /metrics\n", "text/plain");
            }
            write(context, request, response);
        }

        private static void write(ChannelHandlerContext context, FullHttpRequest request, FullHttpResponse response) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                context.writeAndFlush(response);
            } else {
                context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static FullHttpResponse text(HttpResponseStatus status, String body, String contentType) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            HttpUtil.setContentLength(response, response.content().readableBytes());
            return response;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            context.close();
        }
    }
}
