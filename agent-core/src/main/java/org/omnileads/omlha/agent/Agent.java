package org.omnileads.omlha.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.agent.config.ProbeConfig;
import org.omnileads.omlha.agent.config.ProbeSpec;
import org.omnileads.omlha.agent.metrics.MetricsServer;
import org.omnileads.omlha.agent.metrics.PrometheusMetrics;
import org.omnileads.omlha.agent.notify.Notifications;
import org.omnileads.omlha.agent.notify.Notifier;
import org.omnileads.omlha.agent.policy.DatabaseId;
import org.omnileads.omlha.agent.policy.ReloadPlan;
import org.omnileads.omlha.agent.status.AgentStatus;
import org.omnileads.omlha.linux.NativeException;
import org.omnileads.omlha.probes.Probe;
import org.omnileads.omlha.probes.ProbeResult;
import org.omnileads.omlha.probes.ProbeScheduler;
import org.omnileads.omlha.probes.ProbeSnapshot;
import org.omnileads.omlha.vip.AddressManager;
import org.omnileads.omlha.vip.LinkMonitor;
import org.omnileads.omlha.vrrp.net.Poller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon, as wiring: it builds the groups ({@link GroupBuilder}), starts the VRRP loop that owns them and
 * their VIPs, the probes, the control socket and the metrics endpoint; applies a reload as {@link ReloadPlan} says;
 * and on {@link #stop()} lets every MASTER send priority 0 and release its VIPs. Decisions are made elsewhere:
 * elections in the routers, priorities and FAULT in {@code NodePolicy}, what a reload changes in {@link ReloadPlan}.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);

    private volatile AgentConfig config;
    private final Path configFile;
    private final long startedAtMillis = System.currentTimeMillis();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private GroupBuilder builder;
    private VrrpLoop loop;
    private Thread loopThread;
    private ControlServer control;
    private volatile ProbeScheduler probes;
    private SystemdNotify systemd;
    private volatile boolean stopTimedOut;
    private VipListFile vipList;

    /** {@code configFile}: where {@code config} was read, named when a start is refused (the operator edits it). */
    public Agent(AgentConfig config, Path configFile) {
        this.config = config;
        this.configFile = configFile;
    }

    /**
     * Opens everything and starts the loop; returns once every group has started.
     *
     * @throws StartRefusedException when this node cannot run the groups (a missing capability or interface, another
     *     agent on the control socket): said in one line, with what to fix
     */
    public void start() throws Exception {
        if (!config.groups().isEmpty()) {
            NetworkCapabilities.require(); // every group needs raw sockets and netlink: said before anything opens
        }
        try {
            openAndStart();
        } catch (NativeException e) {
            // Another privileged call the capability check did not foresee (or could not, without /proc).
            if (NetworkCapabilities.isPermissionDenied(e)) {
                throw NetworkCapabilities.notPermitted(e);
            }
            throw e;
        }
    }

    private void openAndStart() throws Exception {
        keep(InstanceLock.acquire(config.controlSocket()));
        // Closed last of all (resources close in reverse): the shutdown's STOP notifications still go out.
        Notifier notifier = keep(Notifications.from(config.notifications()));
        AddressManager addresses = keep(AddressManager.open());
        LinkMonitor links = keep(LinkMonitor.open());
        Poller poller = keep(new Poller());
        builder = keep(new GroupBuilder(addresses, links, notifier, configFile));

        NodeRuntime node = new NodeRuntime(NodeRuntime.ProbeFacts.of(config, Set.of()), config.syncGroups(), this::watchDatabase);
        for (GroupConfig group : config.groups()) {
            node.add(builder.build(config, group), builder.linkUp(group.interfaceName()));
        }
        vipList = new VipListFile(config.stateDir());
        writeVipList(List.of(config)); // before the loop can attach anything: what ExecStopPost removes after a crash
        MaintenanceStore maintenance = new MaintenanceStore(config.stateDir());
        Set<String> marked = readMaintenance(maintenance);
        if (!marked.isEmpty()) {
            log.info("groups in maintenance (from {}): {}; 'omlha-agent maintenance off' ends it", maintenance.file(), marked);
            node.restoreMaintenance(marked);
        }
        loop = new VrrpLoop(Ticker.SYSTEM, poller, links, node, builder.takeOpenedChannels(), config.realtimePriority());
        probes = startProbes(config);
        systemd = keep(SystemdNotify.fromEnvironment(System.getenv()));
        if (systemd.watchdogIntervalNanos() > 0) {
            loop.setHeartbeat(systemd::watchdog, systemd.watchdogIntervalNanos());
        }
        loopThread = new Thread(loop, "vrrp-loop");
        loopThread.setPriority(Thread.MAX_PRIORITY);
        loopThread.start();
        loop.started().get(10, TimeUnit.SECONDS);
        control = new ControlServer(config.controlSocket(), this::status, new MaintenanceRequests(loop, maintenance)::answer,
                this::onEvent);
        control.start();
        if (!config.metricsListen().isEmpty()) {
            keep(MetricsServer.start(config.metricsListen(), new PrometheusMetrics(this::status)));
        }
        log.info("omlha-agent started on node {} with {} group(s); control socket {}", config.node(), config.groups().size(),
                config.controlSocket());
        systemd.ready();
    }

    /** A state-dir that cannot be written costs the fast crash cleanup only: said, not fatal. */
    private void writeVipList(List<AgentConfig> configs) {
        try {
            vipList.write(VipListFile.lines(configs));
        } catch (java.io.IOException e) {
            log.warn("state-dir: cannot write {} ({}): after a crash, 'omlha-agent release-vips' falls back to the config file",
                    vipList.file(), e.toString());
        }
    }

    /**
     * The marks a previous run left. An unreadable file is said once and read as none: a node that cannot tell is
     * better back in the election than out of it without anyone knowing.
     */
    private static Set<String> readMaintenance(MaintenanceStore store) {
        try {
            return store.read();
        } catch (java.io.IOException e) {
            log.error("state-dir: cannot read the maintenance marks in {} ({}); starting with no group in maintenance",
                    store.file(), e.toString());
            return Set.of();
        }
    }

    /** Every configured probe under a fresh scheduler; PostgreSQL probes (and their peers) feed every result to the loop. */
    private ProbeScheduler startProbes(AgentConfig config) {
        ProbeScheduler scheduler = new ProbeScheduler(this::onProbeChange);
        for (ProbeConfig probe : config.probes()) {
            Probe created = ProbeFactory.create(probe);
            if (probe.spec() instanceof ProbeSpec.Redis) {
                // Every result: a Redis-master group follows the role and the Sentinels' view, not only up/down.
                created = new ResultTap(created, DatabaseId.local(probe.name()), (id, result) -> onRedisResult(id.probe(), result));
            }
            if (probe.spec() instanceof ProbeSpec.Postgres) {
                created = new ResultTap(created, DatabaseId.local(probe.name()), this::onDatabaseResult);
                // The peers' databases, asked directly: the facts that tell a stale primary from the true one.
                for (ProbeFactory.Peer peer : ProbeFactory.peers(probe)) {
                    scheduler.add(new ResultTap(peer.probe(), peer.id(), this::onDatabaseResult), probe.interval(), probe.timeout(), 1, 1);
                }
            }
            scheduler.add(created, probe.interval(), probe.timeout(), probe.rise(), probe.fall());
        }
        scheduler.start();
        return scheduler;
    }

    /** From a probe's thread (the scheduler has logged the change): the loop re-decides the groups. */
    private void onProbeChange(String probe, boolean up, ProbeResult result) {
        loop.execute(now -> loop.node().onProbeChange(now, probe, up));
    }

    private void onRedisResult(String probe, ProbeResult result) {
        loop.execute(now -> loop.node().onRedisResult(now, probe, result));
    }

    private void onDatabaseResult(DatabaseId database, ProbeResult result) {
        loop.execute(now -> loop.node().onDatabaseResult(now, database, result));
    }

    /** {@code omlha-agent event WORDS} (the control socket's thread): said in the log, then the loop looks again. */
    private void onEvent(String words) {
        EventWords parsed = EventWords.parse(words);
        log.info("event{}{}", parsed.known().isEmpty() ? "" : " " + String.join(" ", parsed.known()),
                parsed.unknown().isEmpty() ? "" : " (unknown words ignored: " + String.join(" ", parsed.unknown()) + ")");
        loop.execute(now -> loop.node().onEvent(String.join(" ", parsed.known())));
    }

    /**
     * On the loop thread, from {@code PromotionWatch}: a local database is checked every {@code promotion-watch-interval}
     * for {@code promotion-watch} ({@code on}), or back at its interval. Only hands the request to the probe's thread.
     */
    private void watchDatabase(String probe, boolean on, String why) {
        ProbeScheduler scheduler = probes;
        ProbeSpec.Postgres spec = config.probe(probe).map(ProbeConfig::spec).filter(ProbeSpec.Postgres.class::isInstance)
                .map(ProbeSpec.Postgres.class::cast).orElse(null);
        if (scheduler == null || spec == null || spec.promotionWatch().isZero()) {
            return;
        }
        if (on) {
            log.info("probe {}: watching the database every {} ms for {} s: {}", probe, spec.promotionWatchEvery().toMillis(),
                    spec.promotionWatch().toSeconds(), why);
            scheduler.watchClosely(probe, spec.promotionWatch(), spec.promotionWatchEvery());
        } else {
            log.info("probe {}: back to its interval: {}", probe, why);
            scheduler.watchClosely(probe, java.time.Duration.ZERO, spec.promotionWatchEvery());
        }
    }

    /**
     * SIGHUP: applies {@code next} as {@link ReloadPlan} says. The new groups are built here, off the loop (sockets,
     * kernel queries); the loop then swaps them in at once: groups that stop resign, new ones start, unchanged ones are
     * untouched. Probes restart when their configuration changed. Settings that need a restart are reported only.
     * Reloads are serialised: the last call applies the last file.
     */
    public synchronized void reload(AgentConfig next) throws Exception {
        AgentConfig current = config;
        ReloadPlan plan = ReloadPlan.between(current, next);
        for (String restartOnly : plan.restartOnly()) {
            log.warn("reload: {} changed; restart the agent to apply it", restartOnly);
        }
        List<GroupRuntime> starting = new ArrayList<>();
        Map<Integer, Boolean> linkUp = new HashMap<>();
        try {
            for (String name : plan.groups().starting()) {
                GroupConfig group = next.group(name).orElseThrow();
                GroupRuntime runtime = builder.build(next, group);
                starting.add(runtime);
                linkUp.put(runtime.channel().ifIndex(), builder.linkUp(group.interfaceName()));
            }
        } catch (Exception | Error e) {
            builder.takeOpenedChannels().forEach(builder::close); // nothing was swapped in: the running groups stay
            throw e;
        }
        List<VrrpChannel> opened = builder.takeOpenedChannels();
        writeVipList(List.of(current, next)); // while the swap runs, either config's VIPs may be on the NIC
        Set<String> forget = new HashSet<>(plan.probes().stopping());
        NodeRuntime.Reload reload = new NodeRuntime.Reload(plan.groups().stopping(), starting, next.syncGroups(),
                NodeRuntime.ProbeFacts.of(next, forget), linkUp);
        List<VrrpChannel> unused = loop.ask(now -> {
            opened.forEach(loop::addChannel);
            loop.node().apply(now, reload);
            List<VrrpChannel> idle = new ArrayList<>();
            for (VrrpChannel channel : builder.channels()) {
                if (channel.dispatcher().isEmpty()) {
                    loop.removeChannel(channel);
                    idle.add(channel);
                }
            }
            return idle;
        }).get(30, TimeUnit.SECONDS);
        unused.forEach(builder::close);
        if (plan.probes().any()) {
            ProbeScheduler old = probes;
            probes = startProbes(next);
            old.close();
        }
        config = next;
        writeVipList(List.of(next));
        log.info("reload: {}{}", plan.groupSummary(), plan.probes().any() ? "; probes restarted" : "");
    }

    /** A consistent snapshot, taken on the loop thread. */
    public AgentStatus status() {
        try {
            return loop.ask(now -> {
                AgentStatus.LoopStatus loopStatus = loop.loopStatus(); // first: what this query allocates is not the loop's
                List<AgentStatus.ProbeStatus> probeList = new ArrayList<>();
                for (ProbeSnapshot snapshot : probes.snapshots()) {
                    probeList.add(AgentStatus.ProbeStatus.of(snapshot,
                            config.probe(snapshot.name()).map(p -> p.spec().typeName()).orElse(AgentStatus.ProbeStatus.PEER_TYPE)));
                }
                return new AgentStatus(config.node(), config.tenant(), ProcessHandle.current().pid(),
                        System.currentTimeMillis() - startedAtMillis, loop.node().status(now), probeList,
                        loop.node().drops().snapshot(), loop.containedErrors(), loopStatus);
            }).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the VRRP loop did not answer: " + e, e);
        }
    }

    /** Blocks until the loop ends by itself (a fatal error) or after {@link #stop()}. */
    public void awaitStopped() throws Exception {
        loop.stopped().get();
    }

    /** True when the VRRP loop ended by a failure rather than by {@link #stop()}, or did not stop in time. */
    public boolean failed() {
        return stopTimedOut || (loop != null && loop.stopped().isCompletedExceptionally());
    }

    /**
     * Graceful stop: priority-0 adverts from every MASTER, VIPs handed over (kept until the new master is heard, see
     * {@code VrrpLoop.handOverAndStop}), sockets closed. Only the loop thread touches
     * the VIPs: if it does not end in time (a kernel that does not answer), this thread leaves them alone, the process
     * exits with a failure, and {@code omlha-agent release-vips} (the unit's {@code ExecStopPost=}) removes what is left
     * once the loop is gone with the process.
     */
    public void stop() {
        if (systemd != null) {
            systemd.stopping();
        }
        if (control != null) {
            control.close();
        }
        if (loop != null && loopThread != null && loopThread.isAlive()) {
            loop.stop();
            try {
                loopThread.join(stopBudgetMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (loopThread.isAlive()) {
                stopTimedOut = true;
                log.error("the VRRP loop did not stop in {} ms; its VIPs are left to 'omlha-agent release-vips' once this "
                        + "process is gone", stopBudgetMillis());
                return; // the loop still owns its sockets and VIPs: leave them to the process exit
            }
        }
        close();
    }

    /** The handover (make-before-break), and a netlink round trip can wait seconds on a sick kernel: allow for it per VIP. */
    private long stopBudgetMillis() {
        long vips = config.groups().stream().mapToLong(g -> g.vips().size()).sum();
        long handover = config.groups().stream().mapToLong(g -> 4 * g.advertInterval().toMillis()).max().orElse(0);
        return 5_000 + handover + 2_000 * vips;
    }

    @Override
    public void close() {
        if (probes != null) {
            probes.close(); // first: no probe result may reach a loop that is gone
            probes = null;
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("closing {}: {}", resources.get(i), e.toString());
            }
        }
        resources.clear();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }
}
