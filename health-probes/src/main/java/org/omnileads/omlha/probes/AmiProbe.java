package org.omnileads.omlha.probes;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code ami} probe: Asterisk Manager Interface over one kept TCP connection. The connection reads the banner
 * ({@code Asterisk Call Manager/x.y.z}) and logs in once ({@code Action: Login}, {@code Events: off}); each check
 * then sends {@code Action: Ping} with a fresh ActionID and is up on {@code Response: Success} (Asterisk 13 and
 * later, with {@code Ping: Pong}) or {@code Response: Pong} (older). A closed connection is re-opened, with a new
 * login, by the next check.
 *
 * <p>Event-driven: when a logged-in connection is closed by the other side (Asterisk stopped or died), the
 * {@link #watch} callback runs at once, so the scheduler re-checks without waiting for the next interval.
 *
 * <p>Down details: {@code connection refused}, {@code authentication failed: <Message>}, {@code no Pong in 500 ms},
 * {@code no AMI banner in 500 ms}, {@code not an AMI server: "<first line>"}, {@code connection closed ...}.
 * All state lives on one Netty event loop: the probe's own single-thread group, or one injected and shared.
 */
public final class AmiProbe extends AbstractProbe {

    private static final Logger log = LoggerFactory.getLogger(AmiProbe.class);
    private static final String BANNER_PREFIX = "Asterisk Call Manager/";

    private final HostPort target;
    private final String user;
    private final String secret;
    private final ProbeLoop probeLoop;
    private final EventLoop loop;

    // Confined to the event loop.
    private Session session;
    private long lastActionId;

    /** A probe with its own single-thread event loop, released by {@link #close()}. */
    public AmiProbe(String name, String target, String user, String secret, Duration timeout) {
        this(name, target, user, secret, timeout, null);
    }

    /** A probe on a shared event loop group (not shut down by {@link #close()}); {@code null} means its own. */
    public AmiProbe(String name, String target, String user, String secret, Duration timeout,
                    EventLoopGroup sharedGroup) {
        super(name, timeout);
        this.user = requireSingleLine(name, "user", user);
        this.secret = requireSingleLine(name, "secret", secret);
        this.target = HostPort.parse(name, target);
        this.probeLoop = new ProbeLoop("omlha-ami-" + name, sharedGroup);
        this.loop = probeLoop.loop();
    }

    @Override
    void begin(Check check) {
        execute(loop, check, () -> start(new Attempt(check)));
    }

    @Override
    void release() {
        probeLoop.close(this::closeOnLoop);
    }

    @Override
    public String toString() {
        return "AmiProbe[" + name + " -> " + target + ']';
    }

    private void start(Attempt attempt) {
        boolean fresh = session == null;
        if (fresh) {
            session = new Session();
        }
        Session s = session;
        attempt.check.onTimeout(loop, () -> onTimeout(attempt, s));
        s.loggedIn.whenComplete((ok, failure) -> {
            if (failure != null) {
                attempt.finish(false, failure.getMessage());
            } else {
                ping(attempt, s);
            }
        });
        if (fresh) {
            s.connect();
        }
    }

    private void ping(Attempt attempt, Session s) {
        if (attempt.done) {
            return;
        }
        String actionId = nextActionId();
        s.pings.put(actionId, attempt);
        attempt.actionId = actionId;
        s.send(AmiMessage.of("Action", "Ping", "ActionID", actionId));
    }

    private void onTimeout(Attempt attempt, Session s) {
        if (attempt.done) {
            return;
        }
        long ms = timeout.toMillis();
        switch (s.stage) {
            case CONNECTING -> attempt.finish(false, "no connection in " + ms + " ms");
            case BANNER -> attempt.finish(false, "no AMI banner in " + ms + " ms");
            case LOGIN -> attempt.finish(false, "no login response in " + ms + " ms");
            case READY -> {
                s.pings.remove(attempt.actionId);
                attempt.finish(false, "no Pong in " + ms + " ms");
                return;
            }
            case CLOSED -> attempt.finish(false, "connection closed");
        }
        s.abandon("check timed out before login");
    }

    private void closeOnLoop() {
        if (session != null) {
            session.logoffAndClose();
        }
    }

    private String nextActionId() {
        return "omlha-" + (++lastActionId);
    }

    private void onSessionClosed(Session s, boolean byPeer) {
        if (session == s) {
            session = null;
        }
        if (byPeer && !closed()) {
            log.info("probe {}: AMI connection to {} closed by the server", name, target);
            changed();
        }
    }

    private enum Stage { CONNECTING, BANNER, LOGIN, READY, CLOSED }

    /**
     * One kept connection: connect, banner, login, then pings. {@code loggedIn} completes once, normally when the
     * login is accepted or exceptionally with the reason a check reports.
     */
    private final class Session extends SimpleChannelInboundHandler<Object> {
        final CompletableFuture<Void> loggedIn = new CompletableFuture<>();
        final Map<String, Attempt> pings = new HashMap<>();
        Stage stage = Stage.CONNECTING;
        Channel channel;
        String loginActionId;
        boolean closedByUs;

        void connect() {
            new Bootstrap()
                    .group(loop)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new AmiDecoder(), Session.this);
                        }
                    })
                    .connect(target.unresolved())
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            channel = f.channel();
                            if (stage == Stage.CLOSED) {
                                channel.close();
                            } else {
                                stage = Stage.BANNER;
                            }
                        } else {
                            fail(describeConnectFailure(f.cause()));
                            onSessionClosed(this, false);
                        }
                    });
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof AmiDecoder.Banner banner) {
                onBanner(banner.line());
            } else if (msg instanceof AmiMessage message) {
                onMessage(message);
            }
        }

        private void onBanner(String line) {
            if (!line.startsWith(BANNER_PREFIX)) {
                fail("not an AMI server: " + AmiMessage.quote(line));
                abandon("bad banner");
                return;
            }
            stage = Stage.LOGIN;
            loginActionId = nextActionId();
            send(AmiMessage.of("Action", "Login", "ActionID", loginActionId, "Username", user, "Secret", secret,
                    "Events", "off"));
        }

        private void onMessage(AmiMessage message) {
            String response = message.get("Response").orElse(null);
            if (response == null) {
                return;
            }
            String actionId = message.get("ActionID").orElse("");
            if (stage == Stage.LOGIN && (actionId.isEmpty() || actionId.equals(loginActionId))) {
                if (response.equalsIgnoreCase("Success")) {
                    stage = Stage.READY;
                    loggedIn.complete(null);
                } else {
                    fail("authentication failed: " + message.get("Message").orElse(response));
                    abandon("login refused");
                }
                return;
            }
            Attempt attempt = pings.remove(actionId);
            if (attempt == null) {
                return;
            }
            if (response.equalsIgnoreCase("Success") || response.equalsIgnoreCase("Pong")) {
                attempt.finish(true, "Pong in " + attempt.check.elapsedMillis() + " ms");
            } else {
                attempt.finish(false, "Ping answered " + response + ": " + message.get("Message").orElse(""));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            boolean wasReady = stage == Stage.READY;
            String detail = wasReady ? "connection closed while waiting for Pong" : "connection closed during login";
            stage = Stage.CLOSED;
            fail(detail);
            for (Attempt attempt : new ArrayList<>(pings.values())) {
                attempt.finish(false, detail);
            }
            pings.clear();
            onSessionClosed(this, wasReady && !closedByUs);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            String detail = cause instanceof AmiProtocolException
                    ? "AMI protocol error: " + cause.getMessage()
                    : "connection error: " + cause.getMessage();
            log.debug("probe {}: {}", name, detail);
            fail(detail);
            for (Attempt attempt : new ArrayList<>(pings.values())) {
                attempt.finish(false, detail);
            }
            pings.clear();
            abandon(detail);
        }

        void send(AmiMessage message) {
            channel.writeAndFlush(Unpooled.copiedBuffer(message.encode(), StandardCharsets.UTF_8));
        }

        /** Completes {@code loggedIn} exceptionally, if it is still open, with the reason checks report. */
        void fail(String detail) {
            loggedIn.completeExceptionally(new SessionFailure(detail));
        }

        /** Closes the connection without telling the watcher: the probe itself gave up on it. */
        void abandon(String why) {
            log.debug("probe {}: closing the AMI connection: {}", name, why);
            closedByUs = true;
            if (session == this) {
                session = null;
            }
            if (channel != null) {
                channel.close();
            } else {
                stage = Stage.CLOSED;
            }
        }

        void logoffAndClose() {
            fail(Check.CLOSED);
            for (Attempt attempt : new ArrayList<>(pings.values())) {
                attempt.finish(false, Check.CLOSED);
            }
            pings.clear();
            closedByUs = true;
            if (channel != null && stage == Stage.READY) {
                channel.writeAndFlush(Unpooled.copiedBuffer(
                        AmiMessage.of("Action", "Logoff", "ActionID", nextActionId()).encode(), StandardCharsets.UTF_8))
                        .addListener(ChannelFutureListener.CLOSE);
            } else if (channel != null) {
                channel.close();
            } else {
                stage = Stage.CLOSED;
            }
        }

        private String describeConnectFailure(Throwable cause) {
            if (cause instanceof ConnectTimeoutException) {
                return "no connection in " + timeout.toMillis() + " ms";
            }
            if (cause instanceof ConnectException && String.valueOf(cause.getMessage()).contains("refused")) {
                return "connection refused";
            }
            if (cause instanceof UnknownHostException) {
                return "unknown host " + target.host();
            }
            return "connect failed: " + cause.getMessage();
        }
    }

    /** One check; confined to the event loop. */
    private static final class Attempt {
        final Check check;
        String actionId;
        boolean done;

        Attempt(Check check) {
            this.check = check;
        }

        void finish(boolean up, String detail) {
            if (!done) {
                done = true;
                check.answer(up, detail, null);
            }
        }
    }

    /** Why a session could not log in; only its message is used. */
    private static final class SessionFailure extends Exception {
        private static final long serialVersionUID = 1L;

        SessionFailure(String detail) {
            super(detail, null, false, false);
        }
    }

    private static String requireSingleLine(String probe, String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("probe " + probe + ": " + what + " must not contain CR or LF");
        }
        return value;
    }
}
