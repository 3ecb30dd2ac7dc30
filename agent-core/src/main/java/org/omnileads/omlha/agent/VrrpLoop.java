package org.omnileads.omlha.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.omnileads.omlha.agent.status.AgentStatus;
import org.omnileads.omlha.vip.LinkMonitor;
import org.omnileads.omlha.vip.LinkState;
import org.omnileads.omlha.vip.VipAddress;
import org.omnileads.omlha.vrrp.net.Poller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the node's state and its VIPs. Each turn it fires the timers that are due, waits on the
 * sockets (VRRP, link events) and its wake-up fd at most until the next deadline, then hands what arrived to the
 * {@link NodeRuntime}. Other threads never touch that state: they queue a command and wake the loop (status, probe
 * events, a prepared reload, stop). It decides nothing: the runtime and its policy do.
 */
final class VrrpLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(VrrpLoop.class);
    /** With no timer armed (all groups in FAULT) the loop still wakes this often to notice a stop. */
    private static final long IDLE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Ticker ticker;
    private final Poller poller;
    private final LinkMonitor linkMonitor;
    private final NodeRuntime node;
    private final List<VrrpChannel> channels = new ArrayList<>();
    private final LoopThreadStats threadStats;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean running = true;
    private final RateLimitedLog errorLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(10));
    private long containedErrors;
    private final LinkEvents linkEvents = new LinkEvents();
    private Runnable heartbeat = () -> { };
    private long heartbeatNanos;
    private long nextHeartbeat;

    VrrpLoop(Ticker ticker, Poller poller, LinkMonitor linkMonitor, NodeRuntime node, List<VrrpChannel> channels,
             int realtimePriority) {
        this.ticker = ticker;
        this.poller = poller;
        this.linkMonitor = linkMonitor;
        this.node = node;
        this.threadStats = new LoopThreadStats(realtimePriority);
        channels.forEach(this::addChannel);
        poller.register(linkMonitor.fd());
    }

    @Override
    public void run() {
        try {
            threadStats.applyScheduling();
            node.start(ticker.nanoTime());
            started.complete(null);
            while (running) {
                turn();
            }
            handOverAndStop();
        } catch (RuntimeException | Error e) {
            log.error("VRRP loop failed; releasing VIPs", e);
            started.completeExceptionally(e);
            try {
                node.shutdown(ticker.nanoTime());
                node.releaseAll(ticker.nanoTime());
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            stopped.completeExceptionally(e);
            return;
        }
        stopped.complete(null);
    }

    /**
     * Graceful stop, make-before-break: every MASTER resigns with priority 0 and keeps its VIPs while the loop turns on
     * (adverts heard, priority 0 repeated), until each group's new master is heard; what nobody took is released at the
     * handover bound. Bounded: the loop never turns longer than the longest bound.
     */
    private void handOverAndStop() {
        long start = ticker.nanoTime();
        node.shutdown(start);
        long until = start + node.handoverBoundNanos();
        while (node.handingOver() && ticker.nanoTime() - until < 0) {
            turn();
        }
        node.releaseAll(ticker.nanoTime());
        if (ticker.nanoTime() - start > 1_000_000) {
            log.info("stop: handed over in {} ms", (ticker.nanoTime() - start) / 1_000_000);
        }
    }

    /**
     * One turn: fire the timers that are due, wait on the sockets until the next deadline, handle what arrived. A method
     * of its own so that the JIT compiles it after a few hundred turns; a loop body inside run() would wait for an
     * on-stack replacement that C1 does only after some 60,000 iterations (ten minutes at 100 turns a second).
     */
    private void turn() {
        long now = ticker.nanoTime();
        try {
            node.fireTimers(now);
        } catch (RuntimeException e) {
            contain(now, "timers", e);
        }
        // Read the clock again: slow timer work (a netlink round trip) must not delay the next deadline.
        now = ticker.nanoTime();
        if (heartbeatNanos > 0 && now - nextHeartbeat >= 0) {
            heartbeat.run(); // systemd's watchdog hears from this very loop: a stuck loop gets the agent restarted
            nextHeartbeat = now + heartbeatNanos;
        }
        long deadline = now + IDLE_WAIT_NANOS;
        if (heartbeatNanos > 0 && nextHeartbeat - deadline < 0) {
            deadline = nextHeartbeat;
        }
        deadline = node.nextDeadline(deadline);
        long wait = deadline - now;
        poller.await(wait < 0 ? 0 : wait);
        now = ticker.nanoTime();
        for (int i = 0; i < channels.size(); i++) {
            VrrpChannel channel = channels.get(i);
            if (poller.isReadable(channel.fd())) {
                try {
                    channel.drain(now, node.drops());
                } catch (RuntimeException e) {
                    contain(now, "receiving on " + channel.interfaceName(), e);
                }
            }
        }
        if (poller.isReadable(linkMonitor.fd())) {
            linkEvents.now = now;
            try {
                linkMonitor.drain(linkEvents);
            } catch (RuntimeException e) {
                contain(now, "link and address events", e);
            }
        }
        for (Runnable command; (command = commands.poll()) != null; ) {
            threadStats.commandStarts();
            try {
                command.run();
            } catch (RuntimeException e) {
                contain(now, "a command", e);
            }
            threadStats.commandEnds();
        }
    }

    /**
     * One event failed (a system call error, a netlink surprise): log it, rate-limited, and carry on. Giving up here
     * would release every VIP and fail over the whole node for what is usually a passing error.
     */
    private void contain(long now, String what, RuntimeException e) {
        containedErrors++;
        errorLog.warn(now, "VRRP loop: {} failed, continuing: {}", what, e.toString());
    }

    /** What the link monitor reports, handed to the runtime; one instance, reused every turn. */
    private final class LinkEvents implements LinkMonitor.Events {
        /** The time of the turn that reads the events. */
        long now;

        @Override
        public void onLink(LinkState link) {
            node.onLink(now, link.ifIndex(), link.up());
        }

        @Override
        public void onAddressRemoved(int ifIndex, VipAddress address) {
            node.onAddressRemoved(now, ifIndex, address);
        }

        @Override
        public void onAddressEventsLost() {
            node.onAddressEventsLost(now);
        }
    }

    // ---- what other threads ask for: queued, run on the loop thread ----

    /** Runs {@code work} on the loop thread with the time it runs at. */
    void execute(NowConsumer work) {
        commands.add(() -> work.accept(ticker.nanoTime()));
        poller.wakeup();
    }

    /** Runs {@code query} on the loop thread and returns its answer. */
    <T> CompletableFuture<T> ask(Function<Long, T> query) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        commands.add(() -> {
            try {
                answer.complete(query.apply(ticker.nanoTime()));
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        poller.wakeup();
        return answer;
    }

    /** Work given the {@code now} it runs at. */
    @FunctionalInterface
    interface NowConsumer {
        void accept(long now);
    }

    // ---- called on the loop thread only (through ask or execute) ----

    /** A socket opened for a reload (a new interface or address family): its fd joins the wait. */
    void addChannel(VrrpChannel channel) {
        channels.add(channel);
        poller.register(channel.fd());
    }

    /** A socket no group uses any more leaves the wait; the caller closes it once this returns. */
    void removeChannel(VrrpChannel channel) {
        if (channels.remove(channel)) {
            poller.unregister(channel.fd());
        }
    }

    NodeRuntime node() {
        return node;
    }

    /** The loop thread's scheduling and allocations, for status. */
    AgentStatus.LoopStatus loopStatus() {
        return threadStats.status();
    }

    /** Events that failed and were contained since start (see {@link #contain}). */
    long containedErrors() {
        return containedErrors;
    }

    /** Runs {@code beat} on the loop thread every {@code intervalNanos} (set before the loop starts). */
    void setHeartbeat(Runnable beat, long intervalNanos) {
        this.heartbeat = beat;
        this.heartbeatNanos = intervalNanos;
        this.nextHeartbeat = ticker.nanoTime();
    }

    CompletableFuture<Void> started() {
        return started;
    }

    /** Asks the loop to stop; {@link #stopped()} completes once every group released its VIPs. */
    void stop() {
        running = false;
        poller.wakeup();
    }

    CompletableFuture<Void> stopped() {
        return stopped;
    }
}
