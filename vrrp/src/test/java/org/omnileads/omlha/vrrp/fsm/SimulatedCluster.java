package org.omnileads.omlha.vrrp.fsm;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A deterministic simulation of 2..5 VRRP routers ({@link VrrpRouter}) on a {@link SimulatedNetwork}: one
 * priority queue of events, one fake clock, one seeded {@link Random}. Nodes start, then a chaos phase crashes
 * and restarts them, shuts them down, faults them, re-weights them, names them rightful holders or not (a
 * database's promotion: such a router takes over as soon as no live master is heard) and cuts, loses and duplicates
 * their adverts; then everything heals and the cluster must converge.
 *
 * <p>After every event it checks, for every node: VIPs are held exactly while MASTER; every state change was
 * reported once through {@link RouterActions#transition}, after the change's other actions and in the order
 * {@link RouterActions} promises; an early timer tick does nothing; no timer is left overdue. After the heal it
 * checks liveness, within the bound explained at {@link #convergenceBoundNanos()}.
 */
final class SimulatedCluster {

    /**
     * One run. Per node: the last byte of its address in 192.0.2.0/24, its configured priority, its advert
     * interval. The maximum network delay is a percentage of the shortest interval; the preempt delay a
     * percentage of four times the longest interval.
     */
    record Scenario(int version, List<Integer> addressOctets, List<Integer> priorities, List<Integer> intervalsCentis,
                    int maxDelayPercent, boolean preempt, int preemptDelayPercent, long clockOrigin, long seed) {

        int size() {
            return addressOctets.size();
        }
    }

    private enum Chaos {
        CRASH(3), RESTART(4), SHUTDOWN(1), FAULT(2), UNFAULT(3), PRIORITY(3), PARTITION(1), CUT_LINK(2),
        RECONNECT(1), LOSS(2), DUPLICATION(1), EARLY_TICK(3), RIGHTFUL(2);

        final int weight;

        Chaos(int weight) {
            this.weight = weight;
        }
    }

    private sealed interface Event permits Deliver, Fire, Start, Disrupt, Heal, Converged { }

    private record Deliver(int to, int from, int priority, int intervalCentis) implements Event { }

    private record Fire(int node, long token) implements Event { }

    private record Start(int node) implements Event { }

    private record Disrupt(Chaos chaos, int node) implements Event { }

    private record Heal() implements Event { }

    private record Converged() implements Event { }

    private record Scheduled(long at, long seq, Event event) { }

    /** What a run went through, for the properties' coverage checks. */
    record Outcome(long events, int mostMastersAtOnce, int faults, int stepDowns) { }

    private static final int TRACE_KEPT = 120;
    /** A run needs a few thousand events; far more means adverts answer each other without end. */
    private static final long MAX_EVENTS = 200_000;

    private final Scenario scenario;
    private final Random random;
    private final SimulatedNetwork network;
    private final Node[] nodes;
    private final PriorityQueue<Scheduled> queue =
            new PriorityQueue<>(Comparator.comparingLong(Scheduled::at).thenComparingLong(Scheduled::seq));
    private final long origin;
    private final long minIntervalNanos;
    private final long maxIntervalNanos;
    private final long preemptDelayNanos;
    private final ArrayDeque<String> trace;
    private long elapsed;
    private long seq;
    private long events;
    private int mostMastersAtOnce;
    private int faults;
    private int stepDowns;

    private boolean highestMustWin;
    private boolean healed;
    private long healedAt;
    private boolean checkingLiveness;
    private Node stableMaster;

    SimulatedCluster(Scenario scenario, boolean tracing) {
        this.scenario = scenario;
        this.random = new Random(scenario.seed());
        this.origin = scenario.clockOrigin();
        this.minIntervalNanos = scenario.intervalsCentis().stream().mapToInt(Integer::intValue).min().orElseThrow()
                * RouterConfig.NANOS_PER_CENTI;
        this.maxIntervalNanos = scenario.intervalsCentis().stream().mapToInt(Integer::intValue).max().orElseThrow()
                * RouterConfig.NANOS_PER_CENTI;
        this.preemptDelayNanos = 4 * maxIntervalNanos * scenario.preemptDelayPercent() / 100;
        this.network = new SimulatedNetwork(random, scenario.size(), minIntervalNanos * scenario.maxDelayPercent() / 100);
        this.nodes = new Node[scenario.size()];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new Node(i, new RouterConfig(51, scenario.version(), scenario.priorities().get(i),
                    scenario.intervalsCentis().get(i), scenario.preempt(), preemptDelayNanos,
                    address(scenario.addressOctets().get(i))));
        }
        this.trace = tracing ? new ArrayDeque<>() : null;
    }

    /**
     * Runs the whole scenario: starts, chaos, heal, then a stability window after the convergence bound.
     *
     * @param highestMustWin whether the single master must have the highest priority (preempt on), or may be
     *     any live node (preempt off)
     */
    Outcome run(boolean highestMustWin) {
        this.highestMustWin = highestMustWin;
        for (Node node : nodes) {
            schedule(random.nextLong(2 * maxIntervalNanos), new Start(node.index));
        }
        long chaosEnd = random.nextInt(31) * masterDownBound(1);
        int disruptions = chaosEnd == 0 ? 0 : random.nextInt(41);
        for (int i = 0; i < disruptions; i++) {
            schedule(random.nextLong(chaosEnd), new Disrupt(pick(), random.nextInt(nodes.length)));
        }
        long healAt = Math.max(chaosEnd, 2 * maxIntervalNanos);
        schedule(healAt, new Heal());
        runUntil(healAt);

        // Checked from just after the bound: the events due at the bound itself still run first.
        long convergedAt = healAt + convergenceBoundNanos() + 1;
        schedule(convergedAt, new Converged());
        runUntil(convergedAt + 3 * masterDownBound(1) + 2 * maxIntervalNanos);

        Node master = singleMaster(highestMustWin);
        for (Node node : liveNodes()) {
            if (node != master) {
                if (node.router.state() != VrrpState.BACKUP) {
                    fail(node + " is not BACKUP at the end");
                }
                if (!master.address.equals(node.router.masterAddress())
                        || node.router.masterPriority() != master.router.effectivePriority()) {
                    fail(node + " follows " + node.router.masterAddress() + " at priority " + node.router.masterPriority()
                            + ", not the master " + master);
                }
            }
        }
        return new Outcome(events, mostMastersAtOnce, faults, stepDowns);
    }

    /**
     * How long after the heal (time T) the cluster must have exactly one master for good. From T the network
     * delivers every advert within d = {@code maxDelayNanos} (at most a third of the shortest interval I). MDI is
     * the longest Master_Down_Interval a node can have armed: 3 I + Skew_Time of the lowest priority any node
     * has had in the run, since a timer armed before T with an older, lower priority may still be running. With
     * preempt on, "top" nodes are the live nodes with the highest live priority.
     * <ol>
     *   <li>By T + d every advert sent before T has arrived (stale ones: from crashed nodes, or carrying a
     *       priority since changed).
     *   <li>By T + 2d so have the last adverts of a top master that stepped down on such a stale advert. From
     *       then on a top backup's timer is reset only by a live top master. If there is none, the first top
     *       backup fires by T + 2d + MDI; call the time a top master exists t1. From t1 on one always exists:
     *       nothing live outranks the top master with the greatest address.
     *   <li>A node can still fire only until the first advert of a top master after t1 reaches it: by t1 + d
     *       (a new master advertises at once) or by T + 3d + I (one that already existed). Whoever fires
     *       advertises at once, a master that hears a lower advert answers at once, so 2d after the last firing
     *       every master but the greatest has stepped down. Later, each backup hears the master at least every
     *       I + d &lt; 3 I, so nobody fires again.
     * </ol>
     * Total: MDI + 4d (T + I + 5d, the other case, is earlier). With d &lt;= I/3 this is within the textbook
     * "MDI + one advert interval + d".
     * <ul>
     *   <li>Preempt delay D: a top backup may follow a lower master for D first. That master exists by
     *       T + 3d + MDI, the top node takes over at most D + MDI later, and 2d settles it: 2 MDI + D + 5d.
     *   <li>Preempt off: the same steps, for "exactly one master, whichever", give MDI + 4d.
     *   <li>Different v3 intervals per node (I is then the longest): a backup that learned a fast master's
     *       interval can time out while a slower master with a greater address takes over from it, and fire
     *       once more; each such change moves the master to a greater address or is undone within 2d. That adds
     *       at most one round of MDI + I + 4d per node: a safety margin, not a tight bound.
     *   <li>Preempt on: a node that preempts a live lower master sends its first advert
     *       {@link VrrpRouter#PREEMPT_SETTLE_NANOS} S after it took the addresses instead of at once: + S.
     * </ul>
     */
    long convergenceBoundNanos() {
        long mdi = masterDownBound(lowestPriorityEver());
        long d = network.maxDelayNanos();
        long bound = scenario.preempt() && preemptDelayNanos > 0 ? 2 * mdi + preemptDelayNanos + 5 * d : mdi + 4 * d;
        if (minIntervalNanos != maxIntervalNanos) {
            bound += (nodes.length + 1) * (mdi + maxIntervalNanos + 4 * d);
        }
        if (scenario.preempt()) {
            bound += VrrpRouter.PREEMPT_SETTLE_NANOS;
        }
        return bound;
    }

    private long masterDownBound(int priority) {
        long skew = scenario.version() == 2
                ? (256 - priority) * 1_000_000_000L / 256
                : maxIntervalNanos * (256 - priority) / 256;
        return 3 * maxIntervalNanos + skew;
    }

    private int lowestPriorityEver() {
        return Arrays.stream(nodes).mapToInt(node -> node.lowestPriority).min().orElseThrow();
    }

    // ---- the event loop ----

    private void runUntil(long until) {
        while (!queue.isEmpty() && queue.peek().at() <= until) {
            Scheduled next = queue.poll();
            elapsed = next.at();
            if (++events > MAX_EVENTS) {
                fail("more than " + MAX_EVENTS + " events: an advert storm?");
            }
            VrrpState[] before = new VrrpState[nodes.length];
            boolean[] handingOver = new boolean[nodes.length];
            for (Node node : nodes) {
                node.calls.clear();
                before[node.index] = node.state();
                handingOver[node.index] = node.router != null && node.router.handingOver();
            }
            dispatch(next.event());
            if (next.event() instanceof Deliver deliver && deliver.priority() > 0 && handingOver[deliver.to()]
                    && nodes[deliver.to()].router != null && nodes[deliver.to()].router.handingOver()) {
                fail(nodes[deliver.to()] + " heard a new master's advert yet still hands over");
            }
            int masters = 0;
            for (Node node : nodes) {
                checkCalls(node, before[node.index], handingOver[node.index]);
                checkInvariants(node);
                checkHandover(node, handingOver[node.index]);
                scheduleTimer(node);
                masters += node.state() == VrrpState.MASTER ? 1 : 0;
            }
            mostMastersAtOnce = Math.max(mostMastersAtOnce, masters);
            if (trace != null) {
                traceEvent(next.event());
            }
            if (checkingLiveness) {
                Node master = singleMaster(highestMustWin);
                if (stableMaster != null && stableMaster != master) {
                    fail("the master moved from " + stableMaster + " to " + master);
                }
                stableMaster = master;
            }
        }
        elapsed = until;
    }

    private void dispatch(Event event) {
        if (event instanceof Deliver deliver) {
            VrrpRouter router = nodes[deliver.to()].router;
            if (router != null) {
                router.onAdvert(now(), nodes[deliver.from()].address, deliver.priority(), deliver.intervalCentis());
            }
        } else if (event instanceof Fire fire) {
            Node node = nodes[fire.node()];
            if (node.router != null && fire.token() == node.timerToken) {
                if (node.router.nextDeadline() != now()) {
                    fail(node + " timer event at " + now() + " but deadline " + node.router.nextDeadline());
                }
                node.timerScheduled = false;
                node.router.onTimer(now());
            }
        } else if (event instanceof Start start) {
            nodes[start.node()].bringUp();
        } else if (event instanceof Disrupt disrupt) {
            disrupt(disrupt.chaos(), nodes[disrupt.node()]);
        } else if (event instanceof Heal) {
            heal();
        } else if (event instanceof Converged) {
            checkingLiveness = true;
        }
    }

    private void disrupt(Chaos chaos, Node node) {
        VrrpRouter router = node.router;
        int other = (node.index + 1 + random.nextInt(nodes.length - 1)) % nodes.length;
        switch (chaos) {
            case CRASH -> node.crash();
            case RESTART -> node.bringUp();
            case SHUTDOWN -> {
                if (router != null) {
                    router.shutdown(now());
                }
            }
            case FAULT -> {
                if (router != null) {
                    // Our own link down releases at once; a probe's FAULT hands over (make-before-break).
                    boolean linkDown = random.nextBoolean();
                    router.setFault(now(), true, linkDown ? "interface down" : "probe down", linkDown);
                }
            }
            case UNFAULT -> {
                if (router != null) {
                    router.setFault(now(), false, "interface up");
                }
            }
            case PRIORITY -> {
                if (router != null) {
                    int priority = 1 + random.nextInt(254);
                    router.setEffectivePriority(now(), priority);
                    node.lowestPriority = Math.min(node.lowestPriority, router.effectivePriority());
                    if (router.effectivePriority() != (node.config.isAddressOwner() ? 255 : priority)) {
                        fail(node + " effective priority after setEffectivePriority(" + priority + ")");
                    }
                }
            }
            case PARTITION -> {
                boolean[] side = new boolean[nodes.length];
                for (int i = 0; i < side.length; i++) {
                    side[i] = random.nextBoolean();
                }
                network.partition(side);
            }
            case CUT_LINK -> network.setCut(node.index, other, random.nextBoolean());
            case RECONNECT -> network.reconnect();
            case LOSS -> network.setLoss(node.index, other, random.nextDouble() * 0.6);
            case DUPLICATION -> network.setDuplication(random.nextDouble() * 0.3);
            case RIGHTFUL -> {
                if (router != null) {
                    // The policy names this node the rightful holder (its database became the primary), or no longer.
                    router.setRightful(now(), random.nextBoolean());
                }
            }
            case EARLY_TICK -> {
                if (router != null && router.hasDeadline() && router.nextDeadline() - now() > 0) {
                    long deadline = router.nextDeadline();
                    VrrpState state = router.state();
                    router.onTimer(now());
                    if (!node.calls.isEmpty() || router.nextDeadline() != deadline || router.state() != state) {
                        fail(node + " reacted to an early tick: " + node.calls);
                    }
                }
            }
        }
    }

    private void heal() {
        network.heal();
        healed = true;
        healedAt = elapsed;
        boolean anyUp = false;
        for (Node node : nodes) {
            if (node.router != null) {
                node.router.setFault(now(), false, "interface up");
            }
            if (random.nextInt(4) != 0) {
                node.bringUp();
            }
            anyUp |= node.isLive();
        }
        if (!anyUp) {
            nodes[random.nextInt(nodes.length)].bringUp();
        }
    }

    private Chaos pick() {
        int total = Arrays.stream(Chaos.values()).mapToInt(c -> c.weight).sum();
        int roll = random.nextInt(total);
        for (Chaos chaos : Chaos.values()) {
            roll -= chaos.weight;
            if (roll < 0) {
                return chaos;
            }
        }
        throw new AssertionError();
    }

    private void schedule(long at, Event event) {
        queue.add(new Scheduled(at, seq++, event));
    }

    private long now() {
        return origin + elapsed;
    }

    private void scheduleTimer(Node node) {
        VrrpRouter router = node.router;
        if (router == null || !router.hasDeadline()) {
            node.timerScheduled = false;
            node.timerToken++;
            return;
        }
        if (!node.timerScheduled || node.scheduledDeadline != router.nextDeadline()) {
            node.timerToken++;
            node.timerScheduled = true;
            node.scheduledDeadline = router.nextDeadline();
            schedule(router.nextDeadline() - origin, new Fire(node.index, node.timerToken));
        }
    }

    // ---- checks ----

    private void checkCalls(Node node, VrrpState before, boolean wasHandingOver) {
        VrrpState after = node.state();
        List<String> calls = node.calls;
        if (node.router == null) {
            if (!calls.isEmpty()) {
                fail(node + " is down but acted: " + calls);
            }
            return;
        }
        int interval = node.config.advertIntervalCentis();
        String advert = "advert " + node.router.effectivePriority() + " " + interval;
        String resign = "advert 0 " + interval;
        String change = before + "->" + after;
        // A handover in progress may repeat its priority-0 advert (a timer) before anything else of the same input.
        List<String> afterRepeat = wasHandingOver && !calls.isEmpty() && calls.get(0).equals(resign)
                ? calls.subList(1, calls.size()) : calls;
        // A rightful router that leaves FAULT with no live master heard takes the group in the same input.
        if (before == VrrpState.FAULT && after == VrrpState.MASTER && node.router.rightful() && !afterRepeat.isEmpty()
                && afterRepeat.get(0).equals("FAULT->BACKUP")) {
            afterRepeat = afterRepeat.subList(1, afterRepeat.size());
            change = "BACKUP->MASTER";
        }
        List<String> expected;
        if (before == after) {
            if (after == VrrpState.MASTER) {
                // A lower master heard: advertise at once, and re-announce (rate-limited) after a split brain;
                // nothing while settling after a preemption, whose first advert is due within the settle time.
                expected = calls.isEmpty() ? List.of() : calls.size() == 2 ? List.of(advert, "announce") : List.of(advert);
            } else if (wasHandingOver) {
                expected = calls.isEmpty() || calls.equals(List.of(resign)) ? calls : List.of("release");
            } else {
                expected = List.of();
            }
        } else if (after == VrrpState.MASTER) {
            calls = afterRepeat;
            if (node.router.preemptSettling()) {
                // Preempting a live lower master: addresses and ARPs now, the advert that makes it release a few ms later.
                expected = wasHandingOver ? List.of("announce", change) : List.of("attach", "announce", change);
                if (node.router.nextDeadline() - now() > VrrpRouter.PREEMPT_SETTLE_NANOS) {
                    fail(node + " preempted and waits " + (node.router.nextDeadline() - now()) + " ns for its first advert");
                }
            } else {
                expected = wasHandingOver ? List.of("announce", advert, change) : List.of("attach", "announce", advert, change);
            }
        } else if (before == VrrpState.MASTER && after == VrrpState.BACKUP) {
            expected = List.of(advert, "release", change); // one last advert as it steps down: the other re-announces
        } else if (before == VrrpState.MASTER) {
            expected = node.router.handingOver() ? List.of(resign, change) : List.of(resign, "release", change);
        } else {
            expected = wasHandingOver && !node.router.handingOver() ? List.of("release", change) : List.of(change);
        }
        if (!calls.equals(expected)) {
            fail(node + " went " + before + " -> " + after + " calling " + calls + ", expected " + expected);
        }
    }

    private void checkInvariants(Node node) {
        VrrpRouter router = node.router;
        VrrpState state = node.state();
        boolean handingOver = router != null && router.handingOver();
        if (node.vipsHeld != (state == VrrpState.MASTER || handingOver)) {
            fail(node + " holds VIPs: " + node.vipsHeld + (handingOver ? " (handing over)" : ""));
        }
        if (node.reported != state) {
            fail(node + " reported " + node.reported);
        }
        if (router == null) {
            return;
        }
        boolean timed = state == VrrpState.BACKUP || state == VrrpState.MASTER || handingOver;
        if (router.hasDeadline() != timed) {
            fail(node + " has a deadline: " + router.hasDeadline());
        }
        if (timed && router.nextDeadline() - now() < 0) {
            fail(node + " has an overdue timer");
        }
        if (state == VrrpState.MASTER
                && (!node.address.equals(router.masterAddress()) || router.masterPriority() != router.effectivePriority())) {
            fail(node + " is MASTER but reports master " + router.masterAddress());
        }
        if (node.config.isAddressOwner() && router.effectivePriority() != 255) {
            fail(node + " owner re-weighted");
        }
    }

    /**
     * Make-before-break: a handover ends within its bound, and once the network is whole (after the heal, which
     * delivers every advert within d) two routers hold the VIPs together for at most d after the new master's first
     * advert (sent when it became MASTER, or a settle time later when it preempted a live lower master); a master that
     * was already MASTER at the heal advertises again within one interval of it.
     */
    private void checkHandover(Node node, boolean wasHandingOver) {
        VrrpRouter router = node.router;
        if (router == null || !router.handingOver()) {
            return;
        }
        if (!wasHandingOver) {
            node.handoverSince = elapsed;
        }
        if (elapsed - node.handoverSince > router.handoverBoundNanos()) {
            fail(node + " hands over for longer than its bound");
        }
        if (!healed) {
            return;
        }
        for (Node other : nodes) {
            if (other != node && other.state() == VrrpState.MASTER) {
                // A master that preempted a live lower master sends its first advert up to the settle time later
                // (checkCalls holds it to that), so the old one's handover may last that much longer.
                long settle = scenario.preempt() ? VrrpRouter.PREEMPT_SETTLE_NANOS : 0;
                long firstAdvert = other.masterSince >= healedAt ? other.masterSince + settle : healedAt + maxIntervalNanos;
                if (elapsed - firstAdvert > network.maxDelayNanos()) {
                    fail(node + " and " + other + " both hold the VIPs " + (elapsed - other.masterSince) / 1_000
                            + " us after " + other + " became MASTER");
                }
            }
        }
    }

    private Node singleMaster(boolean highestMustWin) {
        List<Node> live = liveNodes();
        List<Node> masters = live.stream().filter(n -> n.state() == VrrpState.MASTER).toList();
        if (masters.size() != 1) {
            fail("expected one MASTER among the live nodes, got " + masters);
        }
        Node master = masters.get(0);
        if (highestMustWin) {
            int highest = live.stream().mapToInt(n -> n.router.effectivePriority()).max().orElseThrow();
            if (master.router.effectivePriority() != highest) {
                fail("MASTER " + master + " does not have the highest live priority " + highest);
            }
        }
        return master;
    }

    private List<Node> liveNodes() {
        return Arrays.stream(nodes).filter(Node::isLive).toList();
    }

    private void fail(String message) {
        throw new AssertionError(String.format(Locale.ROOT, "at +%.6fs (event %d%s): %s", elapsed / 1e9, events,
                checkingLiveness ? ", after the convergence bound" : healed ? ", after the heal" : "", message));
    }

    // ---- tracing, for a failure's report ----

    private void traceEvent(Event event) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "+%.6fs %s", elapsed / 1e9, event));
        for (Node node : nodes) {
            if (!node.calls.isEmpty()) {
                line.append(" | n").append(node.index).append(' ').append(node.calls);
            }
        }
        line.append(" | ");
        for (Node node : nodes) {
            line.append(node.state().name().charAt(0)).append(node.router == null ? "x" : "")
                    .append(node.router == null ? "" : node.router.effectivePriority()).append(' ');
        }
        trace.addLast(line.toString());
        if (trace.size() > TRACE_KEPT) {
            trace.removeFirst();
        }
    }

    String traceTail() {
        return trace == null ? "(not traced)" : String.join("\n", trace);
    }

    // ---- one node: its router and what the router asked of it ----

    private final class Node implements RouterActions {
        final int index;
        final RouterConfig config;
        final InetAddress address;
        final List<String> calls = new ArrayList<>();
        VrrpRouter router;
        boolean vipsHeld;
        VrrpState reported = VrrpState.INIT;
        int lowestPriority;
        long timerToken;
        boolean timerScheduled;
        long handoverSince;
        long masterSince;
        long scheduledDeadline;

        Node(int index, RouterConfig config) {
            this.index = index;
            this.config = config;
            this.address = config.primaryAddress();
            this.lowestPriority = config.priority();
        }

        VrrpState state() {
            return router == null ? VrrpState.INIT : router.state();
        }

        boolean isLive() {
            return router != null && router.state() != VrrpState.INIT;
        }

        /** Starts a crashed (or never started) node afresh, or a shut-down one again. */
        void bringUp() {
            if (router == null) {
                router = new VrrpRouter(config, this);
                lowestPriority = Math.min(lowestPriority, config.priority());
            }
            if (router.state() == VrrpState.INIT) {
                router.start(now());
            }
        }

        /**
         * The process dies: no priority-0 advert, no release. The VIPs it held are treated as gone (the agent
         * removes stale VIPs when it starts again), so only live routers are held to the VIP invariant.
         */
        void crash() {
            router = null;
            vipsHeld = false;
            reported = VrrpState.INIT;
        }

        @Override
        public void sendAdvert(long now, int priority, int advertIntervalCentis) {
            calls.add("advert " + priority + " " + advertIntervalCentis);
            network.multicast(index, (to, delay) -> schedule(elapsed + delay, new Deliver(to, index, priority, advertIntervalCentis)));
        }

        @Override
        public void attachVips(long now) {
            if (vipsHeld) {
                fail(this + " attaches VIPs it already holds");
            }
            vipsHeld = true;
            calls.add("attach");
        }

        @Override
        public void announceVips(long now) {
            calls.add("announce");
        }

        @Override
        public void releaseVips(long now) {
            if (!vipsHeld) {
                fail(this + " releases VIPs it does not hold");
            }
            vipsHeld = false;
            calls.add("release");
        }

        @Override
        public void transition(long now, VrrpState from, VrrpState to, String reason) {
            if (from != reported || from == to || reason.isBlank()) {
                fail(this + " reported " + from + " -> " + to + " (" + reason + ") but was " + reported);
            }
            reported = to;
            if (to == VrrpState.MASTER) {
                masterSince = elapsed;
            }
            calls.add(from + "->" + to);
            faults += to == VrrpState.FAULT ? 1 : 0;
            stepDowns += from == VrrpState.MASTER && to == VrrpState.BACKUP ? 1 : 0;
        }

        @Override
        public String toString() {
            return "n" + index + "(" + address.getHostAddress() + ", priority "
                    + (router == null ? config.priority() + ", down" : router.effectivePriority() + ", " + router.state()) + ")";
        }
    }

    private static InetAddress address(int lastOctet) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) lastOctet});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
