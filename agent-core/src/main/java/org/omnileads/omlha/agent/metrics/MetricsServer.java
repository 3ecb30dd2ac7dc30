package org.omnileads.omlha.agent.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} for Prometheus, on a thread of its own (a slow scraper never touches the VRRP loop). The JDK's
 * own HTTP server (module jdk.httpserver), chosen by measurement over Netty's: a scrape every 15 s needs no event
 * loop, and Netty's classes and buffer pools cost the node some 12 MB of resident memory.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Listens on {@code listen} ("host:port", "[v6]:port"); fails at once when the port is taken. */
    public static MetricsServer start(String listen, PrometheusMetrics metrics) throws IOException {
        HttpServer server = HttpServer.create(parse(listen), 16);
        ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "metrics-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, metrics));
        server.start();
        log.info("metrics: http://{}/metrics", listen);
        return new MetricsServer(server, executor);
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
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void handle(HttpExchange exchange, PrometheusMetrics metrics) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                reply(exchange, 405, "only GET\n", "text/plain");
            } else if (path.equals("/metrics")) {
                String body;
                try {
                    body = metrics.scrape();
                } catch (RuntimeException e) {
                    reply(exchange, 503, "agent not answering: " + e.getMessage() + "\n", "text/plain");
                    return;
                }
                reply(exchange, 200, body, CONTENT_TYPE);
            } else if (path.equals("/")) {
                reply(exchange, 200, "omlha-agent: metrics at /metrics\n", "text/plain");
            } else {
                reply(exchange, 404, "not found: try /metrics\n", "text/plain");
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String body, String contentType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
