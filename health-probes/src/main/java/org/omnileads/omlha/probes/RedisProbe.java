package org.omnileads.omlha.probes;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code redis} probe: PING and ROLE over one kept Lettuce connection and, when a Sentinel master name is
 * configured, which node the Sentinels name as that master ({@code SENTINEL get-master-addr-by-name}).
 *
 * <p>Up means PING answered. Facts ({@link RedisFacts}): the role ({@code master}, {@code slave} or
 * {@code sentinel}, as ROLE says; a replica adds its master's address and link state); with Sentinel, the master
 * most Sentinels name (host:port), whether that is this node, and how many of the configured Sentinels name it
 * ({@link SentinelVotes}: one that does not answer within the timeout counts against a majority). This node is the named
 * master when host and port are equal, or when the port is equal and this node is addressed by a loopback address
 * while Sentinel names an address of a local interface (the usual {@code redis://127.0.0.1:6379} against a Sentinel
 * that knows the LAN address). The Sentinel verdict is a fact for the VIP policy; unreachable Sentinels never make
 * the node down.
 *
 * <p>Bounded: connect, command and whole-check timeouts are the probe's timeout. The kept connections do not
 * reconnect on their own: a check finds a closed connection and opens a new one, so a stopped server reports why
 * the connection fails ("connection refused") rather than a queued command. Event-driven: Lettuce tells the probe
 * when any of its connections closes, and the watch callback runs at once (on a Lettuce I/O thread).
 *
 * <p>Sentinel's failover is an event too: the probe keeps a pub/sub connection to every configured Sentinel,
 * subscribed to {@code +switch-master}, and a message about its master name calls the watch callback, so the
 * Sentinels are asked again within milliseconds instead of at the next interval. Every Sentinel announces the switch
 * as it learns it, so up to one event-driven check per Sentinel is allowed in an interval
 * ({@link #eventChecksPerInterval()}). A subscription that closed is opened again by the next check: reconnection is
 * paced by the interval, never a loop of its own.
 */
public final class RedisProbe extends AbstractProbe {

    static final String DEFAULT_URI = "redis://127.0.0.1:6379";
    /** Sentinel's event when it names a new master: {@code <name> <old-ip> <old-port> <new-ip> <new-port>}. */
    static final String SWITCH_MASTER = "+switch-master";

    private static final Logger log = LoggerFactory.getLogger(RedisProbe.class);
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|.*:.*");

    private final RedisURI nodeUri;
    private final String sentinelMaster;
    private final List<RedisURI> sentinelUris;
    private final ClientResources resources;
    private final RedisClient client;

    private final Object lock = new Object();
    private CompletableFuture<StatefulRedisConnection<String, String>> node;                  // guarded by lock
    private final Map<RedisURI, CompletableFuture<StatefulRedisSentinelConnection<String, String>>> sentinels =
            new LinkedHashMap<>();                                                               // guarded by lock
    private final Map<RedisURI, CompletableFuture<StatefulRedisPubSubConnection<String, String>>> subscriptions =
            new LinkedHashMap<>();                                                               // guarded by lock
    private volatile String lastFailure;
    /** {@code +switch-master} messages about our master heard so far (tests read it). */
    private final java.util.concurrent.atomic.AtomicLong switchesHeard = new java.util.concurrent.atomic.AtomicLong();

    public RedisProbe(String name, String uri, String sentinelMaster, List<String> sentinels, Duration timeout) {
        super(name, timeout);
        List<String> sentinelList = sentinels == null ? List.of() : List.copyOf(sentinels);
        if (sentinelMaster != null && sentinelList.isEmpty()) {
            throw new IllegalArgumentException("probe " + name + ": sentinel-master \"" + sentinelMaster
                    + "\" needs at least one entry in sentinels");
        }
        try {
            this.nodeUri = RedisURI.create(uri == null ? DEFAULT_URI : uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("probe " + name + ": bad uri \"" + uri + "\": " + e.getMessage(), e);
        }
        quiet(nodeUri, timeout);
        this.sentinelMaster = sentinelMaster;
        List<RedisURI> parsed = new ArrayList<>();
        for (String s : sentinelList) {
            parsed.add(quiet(hostPort(name, s), timeout));
        }
        this.sentinelUris = List.copyOf(parsed);

        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                connectionClosed();
            }
        });
    }

    @Override
    void begin(Check check) {
        CompletableFuture<NodeAnswer> nodeAnswer = askNode()
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((answer, failure) -> failure == null ? answer
                        : NodeAnswer.failed(describe(failure, nodeUri), isTimeout(failure)));
        CompletableFuture<List<String>> sentinelAnswer = sentinelMaster == null
                ? CompletableFuture.completedFuture(null)
                : askSentinels();
        if (sentinelMaster != null) {
            subscribe();
        }
        nodeAnswer.thenAcceptBoth(sentinelAnswer, (n, s) -> answer(check, n, s));
    }

    @Override
    void release() {
        synchronized (lock) {
            // closed() is true: no connection opens after this; one opening now is kept before the shutdown closes it
        }
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "RedisProbe[" + name + " -> " + nodeUri.getHost() + ':' + nodeUri.getPort() + ']';
    }

    /** {@code facts}: what ROLE said, or nothing known when the node did not answer. */
    private record NodeAnswer(String failure, boolean timedOut, String pong, RedisFacts facts) {
        static NodeAnswer failed(String why, boolean timedOut) {
            return new NodeAnswer(why, timedOut, null, new RedisFacts(null, null, null));
        }
    }

    /** How many {@code +switch-master} messages about this probe's master its subscriptions delivered. */
    long switchesHeard() {
        return switchesHeard.get();
    }

    @Override
    public int eventChecksPerInterval() {
        return 1 + sentinelUris.size();
    }

    private CompletableFuture<NodeAnswer> askNode() {
        return reuseOrConnect(() -> node, f -> node = f,
                () -> client.connectAsync(StringCodec.UTF8, nodeUri).toCompletableFuture())
                .thenCompose(c -> {
                    var commands = c.async();
                    return commands.ping().toCompletableFuture()
                            .thenCombine(commands.role().toCompletableFuture(),
                                    (pong, role) -> new NodeAnswer(null, false, pong, roleFacts(role)));
                });
    }

    /** One answer per configured Sentinel, in order, as {@link SentinelVotes#count} takes them. */
    private CompletableFuture<List<String>> askSentinels() {
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (RedisURI sentinel : sentinelUris) {
            CompletableFuture<String> named = reuseOrConnect(() -> sentinels.get(sentinel),
                    f -> sentinels.put(sentinel, f),
                    () -> client.connectSentinelAsync(StringCodec.UTF8, sentinel))
                    .thenCompose(c -> c.async().getMasterAddrByName(sentinelMaster).toCompletableFuture())
                    .thenApply(address -> address == null ? "" : hostPort(address));
            // Settled a little before the node's deadline, so a slow Sentinel never makes the check late.
            answers.add(named.exceptionally(failure -> {
                log.debug("probe {}: sentinel {}:{} did not answer: {}", name, sentinel.getHost(), sentinel.getPort(),
                        describe(failure, sentinel));
                return null;
            }).completeOnTimeout(null, timeout.toMillis() * 9 / 10, TimeUnit.MILLISECONDS));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> answers.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Opens the {@code +switch-master} subscription on every Sentinel that has none open (or opening). Failures are
     * only logged: the Sentinel's answer to the check says whether it is reachable, and the next check tries again.
     */
    private void subscribe() {
        for (RedisURI sentinel : sentinelUris) {
            reuseOrConnect(() -> subscriptions.get(sentinel), f -> subscriptions.put(sentinel, f),
                    () -> subscribed(sentinel))
                    .exceptionally(failure -> {
                        log.debug("probe {}: no {} subscription on sentinel {}:{}: {}", name, SWITCH_MASTER,
                                sentinel.getHost(), sentinel.getPort(), describe(failure, sentinel));
                        return null;
                    });
        }
    }

    private CompletableFuture<StatefulRedisPubSubConnection<String, String>> subscribed(RedisURI sentinel) {
        return client.connectPubSubAsync(StringCodec.UTF8, sentinel).toCompletableFuture().thenCompose(c -> {
            c.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    switchAnnounced(sentinel, message);
                }
            });
            return c.async().subscribe(SWITCH_MASTER).toCompletableFuture()
                    .whenComplete((ok, failure) -> {
                        if (failure != null) {
                            c.closeAsync();
                        }
                    })
                    .thenApply(ok -> c);
        });
    }

    /** A Sentinel announced a new master: if it is ours, the Sentinels are asked again now. */
    private void switchAnnounced(RedisURI sentinel, String message) {
        if (closed() || message == null || !message.startsWith(sentinelMaster + " ")) {
            return;
        }
        switchesHeard.incrementAndGet();
        log.info("probe {}: sentinel {}:{} says {} {}", name, sentinel.getHost(), sentinel.getPort(), SWITCH_MASTER,
                message);
        changed();
    }

    /**
     * The kept connection if it is open or still opening, otherwise a new one. A connection closed since the last
     * check is replaced, never revived, so a failure to connect is what the check reports.
     */
    private <C extends StatefulConnection<String, String>> CompletableFuture<C> reuseOrConnect(
            Supplier<CompletableFuture<C>> kept, Consumer<CompletableFuture<C>> keep,
            Supplier<CompletableFuture<C>> connect) {
        synchronized (lock) {
            if (closed()) {
                return CompletableFuture.failedFuture(new IllegalStateException(Check.CLOSED));
            }
            CompletableFuture<C> current = kept.get();
            if (current != null) {
                if (!current.isDone()) {
                    return current;
                }
                if (!current.isCompletedExceptionally()) {
                    C c = current.join();
                    if (c.isOpen()) {
                        return current;
                    }
                    c.closeAsync();
                }
            }
            CompletableFuture<C> fresh = connect.get();
            keep.accept(fresh);
            return fresh;
        }
    }

    private void answer(Check check, NodeAnswer node, List<String> sentinelAnswers) {
        RedisFacts facts = node.facts();
        String sentinelDetail = "";
        if (sentinelAnswers != null) {
            SentinelVotes votes = SentinelVotes.count(sentinelAnswers);
            boolean self = votes.master() != null && isThisNode(votes.master());
            facts = facts.withSentinels(votes, self);
            sentinelDetail = "; " + sentinelText(votes, self, sentinelAnswers);
        }
        ServiceFacts known = facts.role() == null && sentinelAnswers == null ? null : facts;
        if (node.failure() != null) {
            String why = node.failure();
            if (!node.timedOut()) {
                lastFailure = why;
            } else if (lastFailure != null) {
                why += " (last failure: " + lastFailure + ")";
            }
            check.answer(false, why + sentinelDetail, known);
            return;
        }
        lastFailure = null;
        String detail = node.pong() + " from " + nodeUri.getHost() + ':' + nodeUri.getPort() + ", role "
                + facts.role().text() + sentinelDetail;
        check.answer(true, detail, known);
    }

    /** What the Sentinels said, in words: who they name, how many agree, and whether that is a majority. */
    private String sentinelText(SentinelVotes votes, boolean self, List<String> answers) {
        if (votes.answered() == 0) {
            return "no sentinel answered (0 of " + votes.configured() + ")";
        }
        String unanswered = votes.answered() < votes.configured()
                ? ", " + (votes.configured() - votes.answered()) + " did not answer" : "";
        if (votes.master() == null) {
            return votes.answered() + " of " + votes.configured() + " sentinels know no master named " + sentinelMaster
                    + unanswered;
        }
        List<String> disagreement = SentinelVotes.disagreement(answers);
        return votes.agreeing() + " of " + votes.configured() + " sentinels name " + votes.master() + " as master "
                + sentinelMaster + (self ? " (this node)" : " (not this node)")
                + (votes.majority() ? "" : ", no majority (needs " + SentinelVotes.majorityOf(votes.configured()) + ")")
                + unanswered
                + (disagreement.isEmpty() ? "" : ", sentinels disagree: " + String.join(", ", disagreement));
    }

    private boolean isThisNode(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try {
            return sameNode(nodeUri.getHost(), nodeUri.getPort(), hostPort.substring(0, colon),
                    Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether the node at {@code nodeHost:nodePort} is the one at {@code namedHost:namedPort}: the same port and
     * the same host, or a loopback node address while the named address belongs to a local interface.
     * Only IP literals are compared as addresses; host names are compared as text (no DNS lookups here).
     */
    static boolean sameNode(String nodeHost, int nodePort, String namedHost, int namedPort) {
        if (nodePort != namedPort) {
            return false;
        }
        if (nodeHost.equalsIgnoreCase(namedHost)) {
            return true;
        }
        InetAddress self = "localhost".equalsIgnoreCase(nodeHost) ? InetAddress.getLoopbackAddress()
                                                                  : literal(nodeHost);
        InetAddress named = literal(namedHost);
        if (self == null || named == null) {
            return false;
        }
        if (self.equals(named)) {
            return true;
        }
        try {
            return self.isLoopbackAddress()
                    && (named.isLoopbackAddress() || NetworkInterface.getByInetAddress(named) != null);
        } catch (SocketException e) {
            return false;
        }
    }

    private static InetAddress literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!IP_LITERAL.matcher(h).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(h);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** ROLE's reply as facts: the role, and for a replica its master's address and link state. */
    static RedisFacts roleFacts(List<Object> role) {
        if (role == null || role.isEmpty()) {
            return new RedisFacts(RedisFacts.Role.UNKNOWN, null, null);
        }
        RedisFacts.Role r = RedisFacts.Role.of(role.get(0));
        if (r == RedisFacts.Role.SLAVE && role.size() >= 4) {
            return new RedisFacts(r, role.get(1) + ":" + role.get(2), String.valueOf(role.get(3)));
        }
        return new RedisFacts(r, null, null);
    }

    private void connectionClosed() {
        if (closed()) {
            return;
        }
        log.debug("probe {}: a connection closed, asking for a re-check", name);
        changed();
    }

    /** Why a Redis operation on {@code server} failed, in one line. */
    String describe(Throwable failure, RedisURI server) {
        Throwable t = unwrap(failure);
        if (isTimeout(t)) {
            return Check.timedOut(timeout);
        }
        if (t instanceof RedisCommandExecutionException) {
            return "server said: " + t.getMessage();
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectTimeoutException) {
                return "connect timed out after " + timeout.toMillis() + " ms";
            }
            if (c instanceof ConnectException) {
                return "connection refused by " + server.getHost() + ':' + server.getPort();
            }
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return t == root || t.getMessage() == null ? message : t.getMessage() + ": " + message;
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean isTimeout(Throwable failure) {
        Throwable t = unwrap(failure);
        return t instanceof TimeoutException || t instanceof RedisCommandTimeoutException;
    }

    /**
     * The timeout, and no {@code CLIENT SETINFO} in the handshake: Redis before 7.2 answers it with an error, and a
     * probe has nothing to tell the server.
     */
    private static RedisURI quiet(RedisURI uri, Duration timeout) {
        uri.setTimeout(timeout);
        uri.setLibraryName("");
        uri.setLibraryVersion("");
        return uri;
    }

    private static String hostPort(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getHostString() + ':' + inet.getPort();
        }
        return address.toString();
    }

    private static RedisURI hostPort(String probe, String hostPort) {
        int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("probe " + probe + ": a sentinel must be host:port, got \""
                    + hostPort + '"');
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return RedisURI.create(host, port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("probe " + probe + ": bad sentinel port in \"" + hostPort + '"', e);
        }
    }
}
