package org.omnileads.omlha.agent;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.ConfigException;
import org.omnileads.omlha.agent.config.ConfigLoader;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.agent.notify.Notifier;
import org.omnileads.omlha.agent.policy.ReloadPlan;
import org.omnileads.omlha.vip.VipAddress;
import org.omnileads.omlha.vrrp.fsm.VrrpRouter;
import org.omnileads.omlha.vrrp.fsm.VrrpState;

/**
 * Whole agents on a simulated network, after Kafka raft's {@code RaftEventSimulationTest}: each node runs the real
 * {@link NodeRuntime} (its policy, its routers, its groups' actions, the real codec and dispatcher) behind the real
 * seams: an {@link AdvertChannel} that hands encoded adverts to the simulated network, a {@link VipTable} that is a
 * set. Everything happens on one deterministic event queue and clock, driven by the scenario's seed.
 *
 * <p>Each node has three groups on eth0, VRRPv3 every 100 ms: {@code web} tracks probe {@code svc} with weight -55,
 * {@code db} with weight 0 (FAULT while it is down), and {@code api} is in sync group {@code s} with {@code db}. The
 * chaos phase draws link flaps, partitions, probe failures, power cuts, graceful restarts (the stop hands over, as
 * the real loop does, before the agent starts again), stalls (a frozen process: its packets and timers wait), reloads
 * (the same file, or web's priority changed), maintenance on and off (with or without --force; the marks survive a
 * restart, as the state directory keeps them), on a network with loss, delay and duplication. Then everything heals
 * and the cluster is left alone.
 *
 * <p>Invariants, checked after every event:
 * <ul>
 *   <li>a VIP is on a node only while its group is MASTER there, or while the node hands the group over
 *       (make-before-break), and a handover lasts no longer than its bound;
 *   <li>a node whose weight-0 probe is down is not MASTER of the groups that need it (db, and api with it), and
 *       holds their VIPs only while handing them over;
 *   <li>a handover ends when the first advert of another master (priority above 0) reaches the node; so, once the
 *       network is whole, two nodes hold a group's VIPs together for at most one network delay after the new
 *       master's first advert;
 *   <li>once the network has been whole for one Master_Down_Interval plus one advert (plus two network delays),
 *       exactly one node is MASTER of each group, it holds the VIPs, and it is the highest healthy priority.
 * </ul>
 */
final class WholeAgentSimulation {
    static final long MS = 1_000_000L;
    private static final long INTERVAL = 100 * MS;
    private static final InetAddress MULTICAST = AdvertChannel.IPV4_GROUP;
    private static final int IF_INDEX = 2;
    private static final List<String> GROUPS = List.of("web", "db", "api");
    private static final int TRACE_KEPT = 60;

    /** Everything that determines a run. Priorities are 250, 210, 170, ... so that no two nodes ever tie. */
    record Scenario(int nodes, long clockOrigin, long seed, int lossPercent, int duplicatePercent, int maxDelayMs,
                    int chaosEvents, long chaosMillis) {
        int priority(int node) {
            return 250 - 40 * node;
        }
    }

    /** What one run saw, for jqwik's statistics. */
    record Outcome(int events, int transitions, int reloads, int crashes, int stalls) {}

    private final Scenario scenario;
    private final Random random;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final List<SimNode> nodes = new ArrayList<>();
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private long seq;
    private long elapsed;
    private int events;
    private int reloads;
    private int crashes;
    private int stalls;
    /** While set, the network is not whole: a node is partitioned, unplugged, stalled or off. */
    private long wholeSince = Long.MAX_VALUE;
    private int lossPercent;
    private int duplicatePercent;

    WholeAgentSimulation(Scenario scenario) {
        this.scenario = scenario;
        this.random = new Random(scenario.seed());
        this.lossPercent = scenario.lossPercent();
        this.duplicatePercent = scenario.duplicatePercent();
    }

    /** Runs the scenario; throws an {@link AssertionError} with the scenario and the last events if an invariant breaks. */
    Outcome run() {
        try {
            for (int i = 0; i < scenario.nodes(); i++) {
                SimNode node = new SimNode(i);
                nodes.add(node);
                node.boot();
            }
            long chaosEnd = scenario.chaosMillis() * MS;
            for (int i = 0; i < scenario.chaosEvents(); i++) {
                schedule((long) (random.nextDouble() * chaosEnd), new Chaos(random.nextInt(10), random.nextInt(scenario.nodes())));
            }
            schedule(chaosEnd, new Heal());
            long end = chaosEnd + settleBound() + 2_000 * MS;
            while (!queue.isEmpty() && queue.peek().at <= end) {
                Event event = queue.poll();
                elapsed = event.at;
                event.run();
                events++;
                check();
            }
            if (wholeSince == Long.MAX_VALUE) {
                fail("the network never became whole again");
            }
            int transitions = nodes.stream().mapToInt(n -> n.transitions).sum();
            return new Outcome(events, transitions, reloads, crashes, stalls);
        } catch (RuntimeException e) {
            throw new AssertionError(describe("unexpected " + e), e);
        }
    }

    /** Master_Down_Interval at the lowest priority (skew close to one interval), one advert, two network delays. */
    private long settleBound() {
        return 3 * INTERVAL + INTERVAL + INTERVAL + 2L * scenario.maxDelayMs() * MS;
    }

    private long now() {
        return scenario.clockOrigin() + elapsed;
    }

    // ---- invariants ----

    private void check() {
        for (SimNode node : nodes) {
            if (node.runtime == null) {
                continue;
            }
            for (GroupRuntime group : node.runtime.groups()) {
                boolean holds = node.holdsAnyVipOf(group.config());
                boolean master = group.state() == VrrpState.MASTER;
                if (holds && !master && !group.handingOver()) {
                    fail(node + " holds VIPs of " + group.name() + " in state " + group.state());
                }
                if (!node.svcReported && !group.name().equals("web") && (master || holds && !group.handingOver())) {
                    fail(node + " has svc down but is " + group.state() + " of " + group.name() + (holds ? " with its VIPs" : ""));
                }
                checkHandover(node, group);
            }
        }
        if (wholeSince != Long.MAX_VALUE && elapsed - wholeSince >= settleBound()) {
            for (String group : GROUPS) {
                checkSettled(group);
            }
        }
    }

    /**
     * A handover lasts at most its bound; once the network is whole, it lasts at most one network delay past the first
     * advert of the group's current master (sent when it became MASTER, or a settle time later when it preempted a live
     * lower master, or within one interval of the heal).
     */
    private void checkHandover(SimNode node, GroupRuntime group) {
        if (group.state() == VrrpState.MASTER) {
            node.masterSince.putIfAbsent(group.name(), elapsed);
        } else {
            node.masterSince.remove(group.name());
        }
        if (!group.handingOver()) {
            node.handoverSince.remove(group.name());
            return;
        }
        long since = node.handoverSince.computeIfAbsent(group.name(), g -> elapsed);
        // A frozen process fires its timers only when it resumes: the bound counts from then.
        long from = Math.max(since, node.resumedAt);
        if (!node.isStalled() && elapsed - from > group.router().handoverBoundNanos()) {
            fail(node + " hands " + group.name() + " over for " + (elapsed - since) / MS + " ms, beyond its bound");
        }
        if (wholeSince == Long.MAX_VALUE) {
            return;
        }
        for (SimNode other : nodes) {
            Long masterSince = other == node || other.runtime == null ? null : other.masterSince.get(group.name());
            if (masterSince != null) {
                // A master sends its first advert when it becomes MASTER, or up to PREEMPT_SETTLE_NANOS later when it
                // preempted a live lower master (its gratuitous ARPs go first; VrrpRouter's SimulatedCluster checks that).
                long firstAdvert = masterSince >= wholeSince ? masterSince + VrrpRouter.PREEMPT_SETTLE_NANOS
                        : wholeSince + INTERVAL;
                if (elapsed - firstAdvert > scenario.maxDelayMs() * MS) {
                    fail(node + " and " + other + " both hold " + group.name() + "'s VIPs " + (elapsed - masterSince) / MS
                            + " ms after " + other + " became its MASTER");
                }
            }
        }
    }

    private void checkSettled(String group) {
        SimNode expected = null;
        int best = -1;
        for (SimNode node : nodes) {
            int priority = node.healthyPriority(group);
            if (priority > best) {
                best = priority;
                expected = node;
            }
        }
        List<SimNode> masters = new ArrayList<>();
        for (SimNode node : nodes) {
            GroupRuntime runtime = node.group(group);
            if (runtime.state() == VrrpState.MASTER) {
                masters.add(node);
            }
            boolean holds = node.holdsAnyVipOf(runtime.config());
            if (holds != (node == expected)) {
                fail("settled, yet " + node + (holds ? " holds " : " does not hold ") + group + "'s VIPs (expected holder: "
                        + expected + ")");
            }
        }
        if (expected == null ? !masters.isEmpty() : !masters.equals(List.of(expected))) {
            fail("settled for " + (elapsed - wholeSince) / MS + " ms, yet the masters of " + group + " are " + masters
                    + ", expected " + (expected == null ? "none" : expected));
        }
    }

    private void fail(String what) {
        throw new AssertionError(describe(what));
    }

    private String describe(String what) {
        return what + "\n  at " + elapsed / MS + " ms of " + scenario + "\n  nodes: " + nodes + "\n  last events:\n    "
                + String.join("\n    ", trace);
    }

    private void note(String line) {
        if (trace.size() == TRACE_KEPT) {
            trace.removeFirst();
        }
        trace.addLast(elapsed / MS + " ms: " + line);
    }

    // ---- the event queue ----

    private abstract static class Event implements Comparable<Event> {
        long at;
        long order;

        abstract void run();

        @Override
        public int compareTo(Event other) {
            return at != other.at ? Long.compare(at, other.at) : Long.compare(order, other.order);
        }
    }

    private void schedule(long at, Event event) {
        event.at = at;
        event.order = seq++;
        queue.add(event);
    }

    /** An advert on the wire, arriving at {@code to}. */
    private final class Deliver extends Event {
        final SimNode to;
        final SimNode from;
        final byte[] bytes;

        Deliver(SimNode to, SimNode from, byte[] bytes) {
            this.to = to;
            this.from = from;
            this.bytes = bytes;
        }

        @Override
        void run() {
            if (to.deferred(this) || to.runtime == null) {
                return;
            }
            // VRRP header: byte 1 the VRID, byte 2 the priority (v2 and v3 alike).
            GroupRuntime group = to.groupByVrid(bytes[1] & 0xff);
            boolean wasHandingOver = group != null && group.handingOver();
            to.channel.dispatcher().dispatch(now(), new SimDatagram(bytes, from.address), to.runtime.drops());
            if (wasHandingOver && (bytes[2] & 0xff) > 0 && to.runtime != null && group.handingOver()) {
                fail(to + " heard " + from + "'s advert for " + group.name() + " yet still hands it over");
            }
            to.afterEvent();
        }
    }

    /** A node's loop waking for its next deadline; stale once the node re-armed it. */
    private final class Wake extends Event {
        final SimNode node;
        final long generation;

        Wake(SimNode node, long generation) {
            this.node = node;
            this.generation = generation;
        }

        @Override
        void run() {
            if (generation != node.wakeGeneration || node.runtime == null || node.deferred(this)) {
                return;
            }
            node.runtime.fireTimers(now());
            node.afterEvent();
        }
    }

    /** Something goes wrong (or right again) on one node. */
    private final class Chaos extends Event {
        final int kind;
        final SimNode node;

        Chaos(int kind, int node) {
            this.kind = kind;
            this.node = nodes.get(node);
        }

        @Override
        void run() {
            wholeSince = Long.MAX_VALUE;
            switch (kind) {
                case 0 -> node.setLink(!node.linkUp);
                case 1 -> {
                    node.partitioned = !node.partitioned;
                    note(node + (node.partitioned ? " partitioned" : " rejoins"));
                }
                case 2, 3 -> node.setSvc(!node.svcUp);
                case 4 -> node.powerCycle();
                case 5 -> node.gracefulRestart();
                case 6 -> node.stall((50 + random.nextInt(3000)) * MS);
                case 7 -> node.reload(random.nextBoolean());
                case 8 -> node.toggleMaintenance(GROUPS.get(random.nextInt(GROUPS.size())), random.nextInt(4) == 0);
                default -> {
                    lossPercent = random.nextInt(30);
                    note("network loss now " + lossPercent + " %");
                }
            }
        }
    }

    /** The end of the chaos: every cable in, every partition healed, every node on and running, no loss. */
    private final class Heal extends Event {
        @Override
        void run() {
            lossPercent = 0;
            duplicatePercent = 0;
            for (SimNode node : nodes) {
                node.partitioned = false;
                if (!node.linkUp) {
                    node.setLink(true);
                }
                if (node.stopping) {
                    node.finishStop(); // a stop still handing over ends now, as at its bound
                }
                if (node.runtime == null) {
                    node.boot();
                }
                node.stalledUntil = Math.min(node.stalledUntil, elapsed);
                node.resume();
            }
            wholeSince = elapsed;
            note("healed");
        }
    }

    // ---- a node ----

    private final class SimNode {
        final int index;
        final InetAddress address;
        final SimChannel channel;
        final Set<VipAddress> vipTable = new HashSet<>();
        NodeRuntime runtime;
        AgentConfig config;
        boolean raisedWebPriority;
        boolean linkUp = true;
        boolean partitioned;
        boolean svcUp = true;
        /** What the agent has been told of svc: a stalled agent learns of a change only when it resumes. */
        boolean svcReported = true;
        long stalledUntil = Long.MIN_VALUE;
        long wakeGeneration;
        long scheduledWake = Long.MIN_VALUE;
        int transitions;
        /** A graceful stop that still hands over: the agent runs until its handovers end (or their bound). */
        boolean stopping;
        long resumedAt = Long.MIN_VALUE;
        /** What the state directory keeps: the maintenance marks, restored when the agent starts again. */
        Set<String> savedMarks = Set.of();
        final Map<String, Long> masterSince = new java.util.HashMap<>();
        final Map<String, Long> handoverSince = new java.util.HashMap<>();
        /** Events that reached the node while it was stalled, run when it resumes. */
        final List<Event> waiting = new ArrayList<>();

        SimNode(int index) {
            this.index = index;
            this.address = literal("192.0.2." + (index + 1));
            this.channel = new SimChannel(this);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("n" + (index + 1));
            if (runtime == null) {
                return s.append("(off)").toString();
            }
            s.append('(');
            for (GroupRuntime group : runtime.groups()) {
                s.append(group.name()).append(' ').append(group.state()).append(' ');
            }
            return s.append(svcUp ? "svc up" : "svc DOWN").append(linkUp ? "" : ", link down")
                    .append(partitioned ? ", partitioned" : "").append(elapsed < stalledUntil ? ", stalled" : "").append(')').toString();
        }

        AgentConfig config(boolean raised) {
            int p = scenario.priority(index);
            String text = "omlha {\n"
                    + "  node = n" + (index + 1) + "\n"
                    + "  interface = eth0\n"
                    + "  metrics.listen = \"\"\n"
                    + "  vrrp { version = 3, advert-interval = 100ms }\n"
                    + "  probes { svc { type = tcp, target = \"127.0.0.1:1\" } }\n"
                    + "  groups {\n"
                    + "    web { vrid = 51, vips = [\"192.0.2.100/24\"], priority = " + (raised ? p + 2 : p)
                    + ", track = [{ probe = svc, weight = -55 }] }\n"
                    + "    db { vrid = 52, vips = [\"192.0.2.101/24\"], priority = " + p + ", track = [{ probe = svc, weight = 0 }] }\n"
                    + "    api { vrid = 53, vips = [\"192.0.2.102/24\", \"192.0.2.103/24\"], priority = " + p + " }\n"
                    + "  }\n"
                    + "  sync-groups { s = [db, api] }\n"
                    + "}\n";
            try {
                return ConfigLoader.parse(text, "n" + (index + 1) + ".conf");
            } catch (ConfigException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }

        GroupRuntime build(GroupConfig group) {
            return new GroupRuntime(group, channel, new SimVipTable(this), vip -> { }, Notifier.NONE, "sim", "n" + (index + 1));
        }

        /** Power on: a fresh agent; the VIP table is empty (the host was off) or holds what a graceful stop left (nothing). */
        void boot() {
            config = config(raisedWebPriority);
            runtime = new NodeRuntime(NodeRuntime.ProbeFacts.of(config, Set.of()), config.syncGroups(), NodeRuntime.DatabaseWatch.NONE);
            for (GroupConfig group : config.groups()) {
                runtime.add(build(group), linkUp);
            }
            runtime.restoreMaintenance(savedMarks);
            masterSince.clear();
            handoverSince.clear();
            runtime.start(now());
            if (!svcUp) {
                runtime.onProbeChange(now(), "svc", false);
            }
            svcReported = svcUp;
            note(this + " started");
            afterEvent();
        }

        void powerCycle() {
            if (runtime == null) {
                boot();
                return;
            }
            crashes++;
            runtime = null;
            stopping = false;
            vipTable.clear(); // the host is off: its addresses go with it
            waiting.clear();
            stalledUntil = Long.MIN_VALUE;
            note(this + " power cut");
        }

        /** SIGTERM, then the agent starts again: the stop hands over first, as {@code VrrpLoop.handOverAndStop}. */
        void gracefulRestart() {
            if (runtime == null || isStalled() || stopping) {
                return;
            }
            runtime.shutdown(now());
            stopping = true;
            note(this + " stopping");
            schedule(elapsed + runtime.handoverBoundNanos(), new Event() {
                @Override
                void run() {
                    if (stopping && !isStalled()) {
                        finishStop();
                    }
                }
            });
            afterEvent();
        }

        /** The stop's end: what still hands over is released, the process exits, and the agent starts again. */
        void finishStop() {
            runtime.releaseAll(now());
            if (!vipTable.isEmpty()) {
                fail(this + " stopped gracefully but still holds " + vipTable);
            }
            stopping = false;
            runtime = null;
            note("n" + (index + 1) + " stopped gracefully");
            boot();
        }

        /** {@code omlha-agent maintenance on|off GROUP [--force]}; the state directory keeps the marks. */
        void toggleMaintenance(String group, boolean force) {
            if (runtime == null || isStalled() || stopping) {
                return;
            }
            boolean on = !runtime.groupsInMaintenance().contains(group);
            runtime.maintenance(now(), List.of(group), on, force);
            note("n" + (index + 1) + " maintenance " + (on ? "on" : "off") + (force ? " --force " : " ") + group);
            afterEvent();
        }

        GroupRuntime groupByVrid(int vrid) {
            if (runtime == null) {
                return null;
            }
            for (GroupRuntime group : runtime.groups()) {
                if (group.vrid() == vrid) {
                    return group;
                }
            }
            return null;
        }

        void stall(long nanos) {
            if (runtime == null) {
                return;
            }
            stalls++;
            stalledUntil = Math.max(stalledUntil, elapsed + nanos);
            note(this + " stalled for " + nanos / MS + " ms");
            schedule(stalledUntil, new Event() {
                @Override
                void run() {
                    resume();
                }
            });
        }

        /** A stalled node's events wait; they run, in their order, once it resumes. */
        boolean deferred(Event event) {
            if (isStalled()) {
                waiting.add(event);
                return true;
            }
            return false;
        }

        /** A frozen process: it hears nothing and acts on no signal until it resumes. */
        private boolean isStalled() {
            return elapsed < stalledUntil;
        }

        void resume() {
            if (elapsed < stalledUntil || waiting.isEmpty()) {
                return;
            }
            resumedAt = elapsed;
            List<Event> pending = List.copyOf(waiting);
            waiting.clear();
            for (Event event : pending) {
                schedule(elapsed, event instanceof Wake ? new Wake(this, wakeGeneration) : event);
            }
        }

        void setLink(boolean up) {
            linkUp = up;
            note("n" + (index + 1) + " link " + (up ? "up" : "down"));
            tell(() -> runtime.onLink(now(), IF_INDEX, up));
        }

        void setSvc(boolean up) {
            svcUp = up;
            note("n" + (index + 1) + " svc " + (up ? "up" : "DOWN"));
            tell(() -> {
                runtime.onProbeChange(now(), "svc", up);
                svcReported = up;
            });
        }

        /** What the agent hears of (a link event, a probe change): at once, or when a stalled agent resumes. */
        private void tell(Runnable work) {
            if (runtime == null) {
                return;
            }
            Event event = new Event() {
                @Override
                void run() {
                    if (runtime != null) {
                        work.run();
                        afterEvent();
                    }
                }
            };
            if (isStalled()) {
                waiting.add(event);
            } else {
                event.run();
            }
        }

        /** SIGHUP with the same file, or with web's priority raised or lowered by 2. */
        void reload(boolean changeWeb) {
            if (runtime == null || isStalled() || stopping) {
                return;
            }
            reloads++;
            if (changeWeb) {
                raisedWebPriority = !raisedWebPriority;
            }
            AgentConfig next = config(raisedWebPriority);
            ReloadPlan plan = ReloadPlan.between(config, next);
            List<GroupRuntime> starting = new ArrayList<>();
            for (String name : plan.groups().starting()) {
                starting.add(build(next.group(name).orElseThrow()));
            }
            runtime.apply(now(), new NodeRuntime.Reload(plan.groups().stopping(), starting, next.syncGroups(),
                    NodeRuntime.ProbeFacts.of(next, new HashSet<>(plan.probes().stopping())), Map.of(IF_INDEX, linkUp)));
            config = next;
            note("n" + (index + 1) + " reloaded: " + plan.groupSummary());
            afterEvent();
        }

        /** The loop's next wake-up after anything happened on this node (a Wake at the new deadline). */
        void afterEvent() {
            if (runtime == null) {
                return;
            }
            savedMarks = runtime.groupsInMaintenance();
            if (stopping && !runtime.handingOver()) {
                finishStop();
                return;
            }
            long deadline = runtime.nextDeadline(now() + TimeUnit.SECONDS.toNanos(1)) - scenario.clockOrigin();
            if (deadline < elapsed) {
                deadline = elapsed;
            }
            if (deadline != scheduledWake) {
                scheduledWake = deadline;
                schedule(deadline, new Wake(this, ++wakeGeneration));
            }
        }

        GroupRuntime group(String name) {
            for (GroupRuntime group : runtime.groups()) {
                if (group.name().equals(name)) {
                    return group;
                }
            }
            throw new IllegalStateException("no group " + name + " on " + this);
        }

        boolean holdsAnyVipOf(GroupConfig group) {
            for (VipAddress vip : group.vips()) {
                if (vipTable.contains(vip)) {
                    return true;
                }
            }
            return false;
        }

        /** The priority this node should win {@code group} with once settled, or -1 when it may not hold it. */
        int healthyPriority(String group) {
            if (savedMarks.contains(group)) {
                return -1; // in maintenance: takes no part
            }
            int p = scenario.priority(index);
            return switch (group) {
                case "web" -> (raisedWebPriority ? p + 2 : p) - (svcUp ? 0 : 55);
                default -> svcUp ? p : -1;
            };
        }

        /** Sends to every other node the network joins us to now: loss, delay, duplication as the chaos set them. */
        void transmit(byte[] bytes) {
            if (!linkUp || partitioned) {
                return;
            }
            for (SimNode other : nodes) {
                if (other == this || !other.linkUp || other.partitioned) {
                    continue;
                }
                int copies = random.nextInt(100) < duplicatePercent ? 2 : 1;
                for (int i = 0; i < copies; i++) {
                    if (random.nextInt(100) < lossPercent) {
                        continue;
                    }
                    schedule(elapsed + random.nextInt(scenario.maxDelayMs() * 1000 + 1) * 1000L, new Deliver(other, this, bytes));
                }
            }
        }
    }

    /** The node's eth0 as its groups see it: adverts leave into the simulated network. */
    private static final class SimChannel implements AdvertChannel {
        private final SimNode node;
        private final AdvertDispatcher dispatcher = new AdvertDispatcher(false);

        SimChannel(SimNode node) {
            this.node = node;
        }

        @Override
        public String interfaceName() {
            return "eth0";
        }

        @Override
        public int ifIndex() {
            return IF_INDEX;
        }

        @Override
        public boolean isIpv6() {
            return false;
        }

        @Override
        public InetAddress primaryAddress() {
            return node.address;
        }

        @Override
        public void send(ByteBuffer advert, InetAddress destination) {
            byte[] bytes = new byte[advert.remaining()];
            advert.duplicate().get(bytes);
            node.transmit(bytes);
        }

        @Override
        public AdvertDispatcher dispatcher() {
            return dispatcher;
        }
    }

    /** The node's address table: a set; a VIP added twice or removed when absent is answered as the kernel would. */
    private static final class SimVipTable implements VipTable {
        private final SimNode node;

        SimVipTable(SimNode node) {
            this.node = node;
        }

        @Override
        public boolean add(VipAddress vip) {
            return node.vipTable.add(vip);
        }

        @Override
        public boolean remove(VipAddress vip) {
            return node.vipTable.remove(vip);
        }

        @Override
        public boolean isPresent(VipAddress vip) {
            return node.vipTable.contains(vip);
        }
    }

    /** An advert as the node's socket would have received it: multicast, TTL 255. */
    private static final class SimDatagram implements InboundDatagram {
        private final byte[] bytes;
        private final InetAddress source;

        SimDatagram(byte[] bytes, InetAddress source) {
            this.bytes = bytes;
            this.source = source;
        }

        @Override
        public ByteBuffer message() {
            return ByteBuffer.wrap(bytes);
        }

        @Override
        public byte[] sourceBytes() {
            return source.getAddress();
        }

        @Override
        public byte[] destinationBytes() {
            return MULTICAST.getAddress();
        }

        @Override
        public InetAddress source() {
            return source;
        }

        @Override
        public InetAddress destination() {
            return MULTICAST;
        }

        @Override
        public int ttlOrHopLimit() {
            return 255;
        }
    }

    private static InetAddress literal(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
