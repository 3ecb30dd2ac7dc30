package org.omnileads.omlha.probes;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code sip-options} probe: a SIP OPTIONS request over UDP (RFC 3261 §11.1, transport §18.1.1) whose
 * <em>final</em> response of any class, 2xx to 6xx, means up. A final response proves that the SIP stack parsed the
 * request and its transaction layer answered: Kamailio usually says 200, Asterisk's PJSIP says 200, 404 or 401
 * depending on its endpoints. Provisional 1xx responses are ignored.
 *
 * <p>Each check is a non-INVITE client transaction (RFC 3261 §17.1.2): a fresh branch and Call-ID, retransmitted
 * on timer E (T1 = 500 ms, doubling, capped at T2 = 4 s) until a final response or the probe's timeout. The
 * socket is connected to the target so the kernel reports an ICMP port unreachable, which ends the check at once
 * with "ICMP port unreachable"; responses are matched by the top Via branch and Call-ID.
 *
 * <p>All state lives on one Netty event loop: the probe's own single-thread group, or one injected and shared.
 */
public final class SipOptionsProbe extends AbstractProbe {

    static final long T1_MILLIS = 500;
    static final long T2_MILLIS = 4000;

    private static final Logger log = LoggerFactory.getLogger(SipOptionsProbe.class);

    private final HostPort target;
    private final ProbeLoop probeLoop;
    private final EventLoop loop;

    // Confined to the event loop.
    private ChannelFuture channelFuture;
    private final Map<String, Transaction> transactions = new HashMap<>();

    /** A probe with its own single-thread event loop, released by {@link #close()}. */
    public SipOptionsProbe(String name, String target, Duration timeout) {
        this(name, target, timeout, null);
    }

    /** A probe on a shared event loop group (not shut down by {@link #close()}); {@code null} means its own. */
    public SipOptionsProbe(String name, String target, Duration timeout, EventLoopGroup sharedGroup) {
        super(name, timeout);
        this.target = HostPort.parse(name, target);
        this.probeLoop = new ProbeLoop("omlha-sip-" + name, sharedGroup);
        this.loop = probeLoop.loop();
    }

    @Override
    void begin(Check check) {
        execute(loop, check, () -> start(new Transaction(check)));
    }

    @Override
    void release() {
        probeLoop.close(this::closeOnLoop);
    }

    @Override
    public String toString() {
        return "SipOptionsProbe[" + name + " -> " + target + ']';
    }

    /** Timer E's interval after {@code transmissions} sends of a non-INVITE request (RFC 3261 §17.1.2.2). */
    static long retransmitIntervalMillis(int transmissions) {
        if (transmissions < 1) {
            throw new IllegalArgumentException("transmissions must be >= 1, got " + transmissions);
        }
        return transmissions > 4 ? T2_MILLIS : Math.min(T1_MILLIS << (transmissions - 1), T2_MILLIS);
    }

    /** The OPTIONS request of RFC 3261 §11.1 with every mandatory header of §8.1.1, plus Contact and Accept. */
    static String optionsRequest(String targetHostPort, String localHostPort, String branch, String tag, String callId) {
        return "OPTIONS sip:" + targetHostPort + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + localHostPort + ";branch=" + branch + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:omlha@" + localHostPort + ">;tag=" + tag + "\r\n"
                + "To: <sip:" + targetHostPort + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Contact: <sip:omlha@" + localHostPort + ">\r\n"
                + "Accept: application/sdp\r\n"
                + "User-Agent: omlha-agent\r\n"
                + "Content-Length: 0\r\n"
                + "\r\n";
    }

    private void start(Transaction tx) {
        transactions.put(tx.branch, tx);
        tx.check.onTimeout(loop, () -> finish(tx, false, "no SIP response in " + timeout.toMillis() + " ms", null));
        channel().addListener(f -> {
            if (f.isSuccess()) {
                send(tx, ((ChannelFuture) f).channel());
            } else {
                finish(tx, false, describe(f.cause()), null);
            }
        });
    }

    private ChannelFuture channel() {
        if (channelFuture == null || (channelFuture.isDone() && !channelFuture.channel().isActive())) {
            channelFuture = new Bootstrap()
                    .group(loop)
                    .channel(NioDatagramChannel.class)
                    .handler(new ChannelInitializer<DatagramChannel>() {
                        @Override
                        protected void initChannel(DatagramChannel ch) {
                            ch.pipeline().addLast(new ResponseHandler());
                        }
                    })
                    .connect(target.unresolved());
        }
        return channelFuture;
    }

    private void send(Transaction tx, Channel ch) {
        if (tx.done) {
            return;
        }
        if (tx.request == null) {
            InetSocketAddress local = (InetSocketAddress) ch.localAddress();
            tx.callId = randomToken() + '@' + hostText(local.getAddress());
            HostPort localHostPort = new HostPort(hostText(local.getAddress()), local.getPort());
            tx.request = optionsRequest(target.toString(), localHostPort.toString(),
                    tx.branch, randomToken(), tx.callId).getBytes(StandardCharsets.UTF_8);
        }
        tx.transmissions++;
        ch.writeAndFlush(Unpooled.wrappedBuffer(tx.request)).addListener(f -> {
            if (!f.isSuccess()) {
                finish(tx, false, describe(f.cause()), null);
            }
        });
        tx.retransmit = loop.schedule(() -> send(tx, ch), retransmitIntervalMillis(tx.transmissions),
                TimeUnit.MILLISECONDS);
    }

    private void onResponse(SipResponse response) {
        Transaction tx = transactions.get(response.topViaBranch());
        if (tx == null || !response.callId().equals(tx.callId) || !"OPTIONS".equals(response.cseqMethod())) {
            log.debug("probe {}: ignoring a response to another request: {} {}", name, response.status(),
                    response.callId());
            return;
        }
        if (!response.isFinal()) {
            return;
        }
        String reason = response.reason().isEmpty() ? "" : " " + response.reason();
        finish(tx, true, "SIP " + response.status() + reason + " in " + tx.check.elapsedMillis() + " ms",
                new SipFacts(response.status(), response.server()));
    }

    private void finish(Transaction tx, boolean up, String detail, SipFacts facts) {
        if (tx.done) {
            return;
        }
        tx.done = true;
        transactions.remove(tx.branch);
        if (tx.retransmit != null) {
            tx.retransmit.cancel(false);
        }
        tx.check.answer(up, detail, facts);
    }

    private void failAll(String detail) {
        for (Transaction tx : new ArrayList<>(transactions.values())) {
            finish(tx, false, detail, null);
        }
    }

    private void closeOnLoop() {
        failAll(Check.CLOSED);
        if (channelFuture != null) {
            channelFuture.channel().close();
        }
    }

    private String describe(Throwable cause) {
        if (cause instanceof PortUnreachableException) {
            return "ICMP port unreachable";
        }
        if (cause instanceof UnknownHostException) {
            return "unknown host " + target.host();
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** Reads datagrams from the target; one bad datagram is logged and dropped, never fatal. */
    private final class ResponseHandler extends SimpleChannelInboundHandler<DatagramPacket> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            byte[] bytes = ByteBufUtil.getBytes(packet.content());
            try {
                onResponse(SipResponse.parse(bytes));
            } catch (SipMessageException e) {
                log.debug("probe {}: dropped a datagram from {}: {}", name, packet.sender(), e.getMessage());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof PortUnreachableException) {
                failAll("ICMP port unreachable");
                return;
            }
            log.debug("probe {}: socket error, reopening: {}", name, cause.toString());
            failAll(describe(cause));
            ctx.close();
        }
    }

    /** One OPTIONS client transaction; confined to the event loop. */
    private static final class Transaction {
        final Check check;
        final String branch = "z9hG4bK" + randomToken();
        String callId;
        byte[] request;
        int transmissions;
        boolean done;
        ScheduledFuture<?> retransmit;

        Transaction(Check check) {
            this.check = check;
        }
    }

    private static String randomToken() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toHexString(random.nextLong() | Long.MIN_VALUE) + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
    }

    private static String hostText(InetAddress address) {
        String text = address.getHostAddress();
        int zone = text.indexOf('%');
        return zone < 0 ? text : text.substring(0, zone);
    }
}
