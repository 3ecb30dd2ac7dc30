package org.omnileads.omlha.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.lang.management.ManagementFactory;
import org.omnileads.omlha.agent.config.Follow;
import org.omnileads.omlha.agent.config.Track;
import org.omnileads.omlha.agent.status.AgentStatus;
import org.omnileads.omlha.agent.status.GroupStatus;
import org.omnileads.omlha.linux.ThreadScheduling;
import org.omnileads.omlha.probes.PostgresFacts;
import org.omnileads.omlha.probes.ProbeResult;
import org.omnileads.omlha.vip.LinkMonitor;
import org.omnileads.omlha.vip.LinkState;
import org.omnileads.omlha.vip.VipAddress;
import org.omnileads.omlha.vrrp.net.Poller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns every group's state. Each turn it fires the timers that are due, then waits on the
 * sockets (VRRP, link events) and its wake-up fd at most until the next deadline, then handles what arrived.
 * Other threads never touch group state: they queue a command and wake the loop (status, stop).
 */
final class VrrpLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(VrrpLoop.class);
    /** With no timer armed (all groups in FAULT) the loop still wakes this often to notice a stop. */
    private static final long IDLE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Ticker ticker;
    private final Poller poller;
    private final List<VrrpChannel> channels;
    private final List<GroupRuntime> groups;
    private final LinkMonitor linkMonitor;
    private final Map<Integer, Boolean> initialLinkUp;
    private final DropCounters drops = new DropCounters();
    /** The tracked probes' states as last reported; a probe not yet in the map has no result yet. */
    private final Map<String, Boolean> probeUp = new HashMap<>();
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean running = true;
    private final RateLimitedLog errorLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(10));
    private long containedErrors;

    private final LinkEvents linkEvents = new LinkEvents();
    private Set<String> activeProbes;
    /** For each followed PostgreSQL probe, its peers' databases. */
    private Map<String, List<DatabaseId>> peerProbes;
    /** The last result of every PostgreSQL probe (and peer probe), for the follow policy. */
    private final Map<DatabaseId, ProbeResult> probeResults = new HashMap<>();

    private Map<String, List<String>> syncGroups = Map.of();
    private int realtimePriority;
    private ThreadScheduling.Outcome scheduling = new ThreadScheduling.Outcome("SCHED_OTHER", 0, null);
    /** Counts this thread's allocations where the JVM can (HotSpot can); null elsewhere. */
    private final com.sun.management.ThreadMXBean allocations = allocationCounter();
    /** What commands (status, probe events, reload) allocated on this thread: not part of the VRRP paths. */
    private long commandAllocatedBytes;
    private Runnable heartbeat = () -> { };
    private long heartbeatNanos;
    private long nextHeartbeat;

    VrrpLoop(Ticker ticker, Poller poller, List<VrrpChannel> channels, List<GroupRuntime> groups, LinkMonitor linkMonitor,
             Map<Integer, Boolean> initialLinkUp, Set<String> activeProbes, Map<String, List<DatabaseId>> peerProbes) {
        this.activeProbes = Set.copyOf(activeProbes);
        this.peerProbes = Map.copyOf(peerProbes);
        this.ticker = ticker;
        this.poller = poller;
        this.channels = new ArrayList<>(channels);
        this.groups = new ArrayList<>(groups);
        this.linkMonitor = linkMonitor;
        this.initialLinkUp = initialLinkUp;
        for (VrrpChannel channel : channels) {
            poller.register(channel.fd());
        }
        poller.register(linkMonitor.fd());
    }

    @Override
    public void run() {
        try {
            applyScheduling();
            long now = ticker.nanoTime();
            for (GroupRuntime group : groups) {
                group.start(now, initialLinkUp.getOrDefault(group.channel().ifIndex(), true), tracking(group));
            }
            syncFaults(now);
            started.complete(null);
            while (running) {
                turn();
            }
            long end = ticker.nanoTime();
            for (GroupRuntime group : groups) {
                group.shutdown(end);
            }
        } catch (RuntimeException | Error e) {
            log.error("VRRP loop failed; releasing VIPs", e);
            started.completeExceptionally(e);
            long end = ticker.nanoTime();
            for (GroupRuntime group : groups) {
                try {
                    group.shutdown(end);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            stopped.completeExceptionally(e);
            return;
        }
        stopped.complete(null);
    }

    /**
     * One turn: fire the timers that are due, wait on the sockets until the next deadline, handle what arrived. A method
     * of its own so that the JIT compiles it after a few hundred turns; a loop body inside run() would wait for an
     * on-stack replacement that C1 does only after some 60,000 iterations (ten minutes at 100 turns a second).
     */
    private void turn() {
        long now = ticker.nanoTime();
        // Indexed loops here and below: an iterator per turn would be garbage at every advert.
        for (int i = 0; i < groups.size(); i++) {
            GroupRuntime group = groups.get(i);
            try {
                group.fireTimers(now);
            } catch (RuntimeException e) {
                contain(now, "timers of group " + group.name(), e);
            }
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
        for (int i = 0; i < groups.size(); i++) {
            deadline = groups.get(i).nextDeadline(now, deadline);
        }
        long wait = deadline - now;
        poller.await(wait < 0 ? 0 : wait);
        now = ticker.nanoTime();
        for (int i = 0; i < channels.size(); i++) {
            VrrpChannel channel = channels.get(i);
            if (poller.isReadable(channel.fd())) {
                try {
                    channel.drain(now, drops);
                } catch (RuntimeException e) {
                    contain(now, "receiving on " + channel.interfaceName(), e);
                }
            }
        }
        boolean faultsMayHaveChanged = false;
        if (poller.isReadable(linkMonitor.fd())) {
            faultsMayHaveChanged = true;
            linkEvents.now = now;
            try {
                linkMonitor.drain(linkEvents);
            } catch (RuntimeException e) {
                contain(now, "link and address events", e);
            }
        }
        for (Runnable command; (command = commands.poll()) != null; ) {
            faultsMayHaveChanged = true;
            long allocatedBefore = allocatedBytes();
            try {
                command.run();
            } catch (RuntimeException e) {
                contain(now, "a command", e);
            }
            commandAllocatedBytes += allocatedBytes() - allocatedBefore;
        }
        if (faultsMayHaveChanged && !syncGroups.isEmpty()) {
            syncFaults(ticker.nanoTime());
        }
    }

    /**
     * SCHED_FIFO for this thread, so adverts leave on time when every core is busy; refused (no CAP_SYS_NICE nor
     * LimitRTPRIO, a cgroup without real-time budget), the loop carries on at ordinary scheduling and says why.
     */
    private void applyScheduling() {
        if (realtimePriority == 0) {
            log.info("VRRP loop at ordinary scheduling (realtime-priority = 0)");
            return;
        }
        scheduling = ThreadScheduling.useRealtime(realtimePriority);
        if (scheduling.realtime()) {
            log.info("VRRP loop at {}", scheduling);
        } else {
            log.warn("VRRP loop at ordinary scheduling, adverts may be late when the CPUs are busy: {}", scheduling.problem());
        }
    }

    /** The loop thread's scheduling and allocations, for status; called on the loop thread (through ask). */
    AgentStatus.LoopStatus loopStatus() {
        long allocated = allocatedBytes();
        return new AgentStatus.LoopStatus(scheduling.policy(), scheduling.priority(), scheduling.problem(),
                allocated < 0 ? -1 : allocated - commandAllocatedBytes);
    }

    /** Bytes this thread allocated since it started, or -1 where that is not counted. */
    private long allocatedBytes() {
        return allocations == null ? -1 : allocations.getCurrentThreadAllocatedBytes();
    }

    private static com.sun.management.ThreadMXBean allocationCounter() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean counter
                && counter.isThreadAllocatedMemorySupported() && counter.isThreadAllocatedMemoryEnabled()) {
            return counter;
        }
        return null;
    }

    /** The SCHED_FIFO priority for the loop thread, 0 for ordinary scheduling (set before the loop starts). */
    void setRealtimePriority(int priority) {
        this.realtimePriority = priority;
    }

    /**
     * One event failed (a system call error, a netlink surprise): log it, rate-limited, and carry on. Giving up here
     * would release every VIP and fail over the whole node for what is usually a passing error.
     */
    private void contain(long now, String what, RuntimeException e) {
        containedErrors++;
        errorLog.warn(now, "VRRP loop: {} failed, continuing: {}", what, e.toString());
    }

    /** What the link monitor reports, handed to the groups on that interface; one instance, reused every turn. */
    private final class LinkEvents implements LinkMonitor.Events {
        /** The time of the turn that reads the events. */
        long now;

        @Override
        public void onLink(LinkState link) {
            for (GroupRuntime group : groups) {
                if (group.channel().ifIndex() == link.ifIndex()) {
                    group.setLinkUp(now, link.up());
                }
            }
        }

        @Override
        public void onAddressRemoved(int ifIndex, VipAddress address) {
            for (GroupRuntime group : groups) {
                if (group.channel().ifIndex() == ifIndex) {
                    group.onAddressRemoved(address);
                }
            }
        }

        @Override
        public void onAddressEventsLost() {
            groups.forEach(GroupRuntime::restoreRemovedVips);
        }
    }

    /** A probe's state changed (told from a probe thread): re-weigh the groups that track it, on the loop thread. */
    void onProbeChange(String probe, boolean up) {
        commands.add(() -> {
            probeUp.put(probe, up);
            long now = ticker.nanoTime();
            for (GroupRuntime group : groups) {
                if (group.tracks().stream().anyMatch(t -> t.probe().equals(probe))) {
                    group.applyTracking(now, tracking(group));
                }
            }
        });
        poller.wakeup();
    }

    /** Every result of a PostgreSQL probe (role, timeline, lag may change while it stays up): re-evaluate its followers. */
    void onProbeResult(DatabaseId database, ProbeResult result) {
        commands.add(() -> {
            probeResults.put(database, result);
            long now = ticker.nanoTime();
            for (GroupRuntime group : groups) {
                if (group.follow().map(f -> f.probe().equals(database.probe())).orElse(false)) {
                    group.applyTracking(now, tracking(group));
                }
            }
        });
        poller.wakeup();
    }

    /**
     * The group's effective priority and FAULT: a followed database role first sets the base priority (or FAULT),
     * then the tracked probes weigh on it. Only probes the agent runs count.
     */
    private TrackPolicy.Outcome tracking(GroupRuntime group) {
        int base = group.basePriority();
        String fault = null;
        if (group.follow().isPresent()) {
            Follow follow = group.follow().get();
            List<FollowPolicy.Database> peers = peerProbes.getOrDefault(follow.probe(), List.of()).stream()
                    .map(id -> FollowPolicy.database(id, probeResults)).toList();
            FollowPolicy.Database self = FollowPolicy.database(DatabaseId.local(follow.probe()), probeResults);
            FollowPolicy.Outcome outcome = FollowPolicy.evaluate(follow.role(), base, self, peers);
            group.setDatabase(databaseStatus(follow, self, outcome));
            base = outcome.priority();
            fault = outcome.faultReason();
        }
        List<Track> active = group.tracks().stream().filter(t -> activeProbes.contains(t.probe())).toList();
        TrackPolicy.Outcome tracked = TrackPolicy.evaluate(base, active, probeUp);
        return fault == null ? tracked : new TrackPolicy.Outcome(tracked.priority(), fault);
    }

    private static GroupStatus.DatabaseStatus databaseStatus(Follow follow, FollowPolicy.Database self, FollowPolicy.Outcome outcome) {
        Optional<PostgresFacts> facts = self.result() == null ? Optional.empty() : self.result().facts(PostgresFacts.class);
        return new GroupStatus.DatabaseStatus(follow.probe(), follow.role().name().toLowerCase(Locale.ROOT),
                facts.map(f -> f.role().text()).orElse(null), facts.map(f -> Long.toString(f.timeline())).orElse(null),
                facts.map(PostgresFacts::lagBytes).map(String::valueOf).orElse(null), outcome.stalePrimary(),
                outcome.faultReason() != null ? outcome.faultReason() : self.result().detail());
    }

    /**
     * keepalived's vrrp_sync_group: when one member is in FAULT of its own (link, probes, database), the other members
     * go to FAULT with it, so the peer node takes all of the group's VIPs together; they come back together too.
     */
    private void syncFaults(long now) {
        for (Map.Entry<String, List<String>> sync : syncGroups.entrySet()) {
            String cause = null;
            for (GroupRuntime group : groups) {
                if (sync.getValue().contains(group.name()) && group.ownFaultReason() != null) {
                    cause = "sync group " + sync.getKey() + ": " + group.name() + " in FAULT (" + group.ownFaultReason() + ")";
                    break;
                }
            }
            for (GroupRuntime group : groups) {
                if (sync.getValue().contains(group.name())) {
                    group.setSyncFault(now, cause != null && group.ownFaultReason() == null ? cause : null);
                }
            }
        }
    }

    /** The sync groups of the configuration (set before the loop starts, and by a reload). */
    void setSyncGroups(Map<String, List<String>> syncGroups) {
        this.syncGroups = Map.copyOf(syncGroups);
    }

    // ---- reload: called on the loop thread only (through ask) ----

    /** A new socket (a new interface or address family after a reload). */
    void addChannel(VrrpChannel channel) {
        channels.add(channel);
        poller.register(channel.fd());
    }

    /** A group of a reloaded config: starts at once (BACKUP, or FAULT if its link or its probes say so). */
    void addGroup(GroupRuntime group, boolean linkUp) {
        groups.add(group);
        group.channel().register(group);
        group.start(ticker.nanoTime(), linkUp, tracking(group));
    }

    /** A group gone from the config, or about to be replaced: a MASTER sends priority 0 and releases its VIPs. */
    void removeGroup(GroupRuntime group) {
        group.shutdown(ticker.nanoTime());
        group.channel().unregister(group);
        groups.remove(group);
    }

    /** The probes of a reloaded config; the results of probes that changed or are gone are forgotten. */
    void replaceProbes(Set<String> active, Map<String, List<DatabaseId>> peers, Set<String> forget) {
        activeProbes = Set.copyOf(active);
        peerProbes = Map.copyOf(peers);
        probeUp.keySet().removeIf(forget::contains);
        probeResults.keySet().removeIf(database -> forget.contains(database.probe()));
    }

    /** Runs {@code beat} on the loop thread every {@code intervalNanos} (set before the loop starts). */
    void setHeartbeat(Runnable beat, long intervalNanos) {
        this.heartbeat = beat;
        this.heartbeatNanos = intervalNanos;
        this.nextHeartbeat = ticker.nanoTime();
    }

    /** Runs {@code query} on the loop thread and returns its answer (for status). */
    <T> CompletableFuture<T> ask(Function<VrrpLoop, T> query) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        commands.add(() -> {
            try {
                answer.complete(query.apply(this));
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        poller.wakeup();
        return answer;
    }

    List<GroupRuntime> groups() {
        return groups;
    }

    /** Events that failed and were contained since start (see {@link #contain}). */
    long containedErrors() {
        return containedErrors;
    }

    DropCounters drops() {
        return drops;
    }

    long now() {
        return ticker.nanoTime();
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
