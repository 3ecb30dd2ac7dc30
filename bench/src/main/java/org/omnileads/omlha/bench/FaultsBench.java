package org.omnileads.omlha.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.labservices.AddressWatch;
import org.omnileads.omlha.labservices.CallerHttpClient;
import org.omnileads.omlha.labservices.LabCall;
import org.omnileads.omlha.labservices.LabHaproxy;
import org.omnileads.omlha.labservices.LabKamailio;
import org.omnileads.omlha.labservices.LabKeepalived;
import org.omnileads.omlha.labservices.NamespaceSipClient;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * Faults as the callers behind the VIP feel them, keepalived and omlha-agent side by side in the same run (issue 11,
 * item 4). Two nodes, n1 (main, priority 150) and n2 (backup, 100), VRRPv3 with adverts every 100 ms, VIP
 * 192.0.2.100/24, each running a real HAProxy (tracked with weight 0: FAULT while down) and a real Kamailio; a client
 * namespace runs two callers that behave as real ones do:
 * <ul>
 * <li>TCP: every 10 ms a new connection to VIP:8080 (connect timeout 3 s, so a lost SYN costs the kernel's 1 s
 * retransmission; reply timeout 3 s), a GET, the answer naming the node;</li>
 * <li>SIP: every 10 ms a new OPTIONS transaction over UDP to VIP:5060, retransmitted on Timer E (T1 500 ms doubling to
 * T2 4 s); Timer F capped at {@link #TIMER_F} instead of 64 x T1 = 32 s, so that a case ends in bounded time.</li>
 * </ul>
 * Per case: the requests sent in its window that failed, the longest time between two successive answers, the
 * slowest request, the time both nodes held the VIP ({@code ip monitor address} in both namespaces), and the
 * transitions other than the expected ones (the agent's and keepalived's logs).
 */
public final class FaultsBench {
    static final String VIP = "192.0.2.100";
    private static final String CLIENT_IP = "192.0.2.200";
    private static final String FLOODER_IP = "192.0.2.250";
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final Duration PERIOD = Duration.ofMillis(10);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(3);
    static final Duration TIMER_F = Duration.ofSeconds(8);
    private static final Duration OBSERVE = Duration.ofMillis(1500);
    private static final int STRESS_SECONDS = 15;
    private static final int FLOOD_SECONDS = 3;
    private static final int FLOOD_RATE = 20_000;
    private static final int MAINTENANCE_PRIORITY = 50;
    private static final Pattern AGENT_TRANSITION = Pattern.compile("group web \\(vrid 51\\): (\\w+) -> (\\w+)");
    private static final Pattern KEEPALIVED_TRANSITION = Pattern.compile("\\(web\\) Entering (MASTER|BACKUP|FAULT) STATE");

    /** The implementations, as --impls names them. */
    public enum Impl {
        KEEPALIVED("keepalived"), OMLHA("omlha");

        final String label;

        Impl(String label) {
            this.label = label;
        }
    }

    /** The cases, as --cases names them; maintenance runs on and off in one lab and gives two rows. */
    public enum Case {
        STOP("stop", "graceful stop (SIGTERM) of the master"),
        MAINTENANCE("maintenance", "maintenance on, then off, on the master"),
        DEAD_HAPROXY("dead-haproxy", "HAProxy SIGKILLed on the master"),
        TAKEOVER("takeover", "main stopped, backup serves, main started again and preempts"),
        KILL9("kill-9", "kill -9 of the master's VRRP process, then ExecStopPost"),
        PARTITION_MASTER("partition-master", "master's bridge port detached 3 s (carrier stays up), then healed"),
        PARTITION_BACKUP("partition-backup", "backup's bridge port detached 3 s, then healed"),
        FREEZE("freeze", "master's VRRP process SIGSTOPped 3 s, then SIGCONT"),
        FLAP("flap", "master's link down/up 10 times in 5 s"),
        FLOOD("flood", "malformed adverts from a third namespace, " + FLOOD_RATE + "/s for " + FLOOD_SECONDS + " s"),
        STRESS("stress", "stress-ng --cpu on every core for " + STRESS_SECONDS + " s");

        final String label;
        final String what;

        Case(String label, String what) {
            this.label = label;
            this.what = what;
        }

        static Case parse(String text) {
            for (Case c : values()) {
                if (c.label.equals(text.trim())) {
                    return c;
                }
            }
            throw new IllegalArgumentException("unknown case " + text + " (" + Arrays.stream(values()).map(c -> c.label)
                    .collect(Collectors.joining(",")) + ")");
        }
    }

    /** What one client saw in one window. */
    record ClientFigures(int sent, int failed, double longestGapMs, double gapStartMs, double gapAfterFaultMs, double maxLatencyMs, int slow,
            int retransmissions, String failures) {
        /**
         * The figures of the requests sent in [from, to); the longest gap counts every answer (so one that began
         * before the window counts whole), its start is relative to {@code from}; {@code faultEnd} (0: none) also
         * gives the longest gap that ended after it (the heal, SIGCONT).
         */
        static ClientFigures of(List<LabCall> calls, long from, long to, long faultEnd) {
            List<LabCall> inWindow = calls.stream().filter(c -> c.sentNanos() - from >= 0 && c.sentNanos() - to < 0).toList();
            List<LabCall> failed = inWindow.stream().filter(c -> !c.ok()).toList();
            List<LabCall> successes = calls.stream().filter(LabCall::ok).sorted(Comparator.comparingLong(c -> c.endedNanos() - from)).toList();
            double gap = 0;
            double gapStart = Double.NaN;
            double afterFault = faultEnd == 0 ? Double.NaN : 0;
            for (int i = 1; i < successes.size(); i++) {
                long before = successes.get(i - 1).endedNanos();
                long after = successes.get(i).endedNanos();
                if (after - from >= 0 && before - to < 0) {
                    double millis = (after - before) / 1e6;
                    if (millis > gap) {
                        gap = millis;
                        gapStart = (before - from) / 1e6;
                    }
                    if (faultEnd != 0 && after - faultEnd >= 0) {
                        afterFault = Math.max(afterFault, millis);
                    }
                }
            }
            // A window without an answer at its end: the gap runs from the last answer to the window's end.
            OptionalLong lastEnd = successes.stream().mapToLong(LabCall::endedNanos).filter(e -> e - to < 0).max();
            boolean answeredAfter = successes.stream().anyMatch(c -> c.endedNanos() - to >= 0 || c.sentNanos() - to >= 0);
            if (lastEnd.isPresent() && !answeredAfter && inWindow.stream().anyMatch(c -> !c.ok() && c.sentNanos() - lastEnd.getAsLong() > 0)) {
                double millis = (to - lastEnd.getAsLong()) / 1e6;
                if (millis > gap) {
                    gap = millis;
                    gapStart = (lastEnd.getAsLong() - from) / 1e6;
                }
                if (faultEnd != 0) {
                    afterFault = Math.max(afterFault, millis);
                }
            }
            double maxLatency = inWindow.stream().mapToDouble(LabCall::latencyMillis).max().orElse(Double.NaN);
            int slow = (int) inWindow.stream().filter(c -> c.ok() && c.latencyMillis() >= 900).count();
            int retransmissions = inWindow.stream().mapToInt(LabCall::retransmissions).sum();
            Map<String, Long> reasons = failed.stream().collect(Collectors.groupingBy(c -> c.failure() == null ? "?" : c.failure(),
                    LinkedHashMap::new, Collectors.counting()));
            String text = reasons.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
            return new ClientFigures(inWindow.size(), failed.size(), gap, gapStart, afterFault, maxLatency, slow, retransmissions, text);
        }
    }

    /** One row: a case (or the maintenance half), an implementation, what the callers saw and the VIP did. */
    record Result(String caseLabel, Impl impl, ClientFigures tcp, ClientFigures sip, double twoHoldersMs, double twoHoldersAfterHealMs,
            int spurious, String transitions, String note, String target, Boolean met) {
    }

    private final Path home;
    private final boolean maintenanceCommand;
    private final boolean stateDirKey;

    FaultsBench(Path home) throws IOException, InterruptedException {
        this.home = home;
        this.maintenanceCommand = agentOutput(home, List.of("--help")).lines().anyMatch(l -> l.trim().startsWith("maintenance "));
        Path probe = Files.createTempFile("omlha-faults-probe-", ".conf");
        try {
            Files.writeString(probe, "omlha {\n  node = \"probe\"\n  interface = \"lo\"\n  state-dir = \"/tmp\"\n"
                    + "  groups { web { vrid = 51, priority = 100, vips = [\"" + VIP + "/24\"] } }\n}\n");
            this.stateDirKey = agentAccepts(home, List.of("check-config", "-c", probe.toString()));
        } finally {
            Files.deleteIfExists(probe);
        }
        System.err.printf("faults: this build %s 'maintenance' and %s the 'state-dir' key%n", maintenanceCommand ? "has" : "has NO",
                stateDirKey ? "knows" : "does NOT know");
    }

    private static String agentOutput(Path home, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/omlha-agent").toString()));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private static boolean agentAccepts(Path home, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/omlha-agent").toString()));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(".");
        int trials = 1;
        List<Case> cases = List.of(Case.values());
        List<Impl> impls = List.of(Impl.KEEPALIVED, Impl.OMLHA);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home" -> home = Path.of(args[++i]);
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--cases" -> cases = Arrays.stream(args[++i].split(",")).map(Case::parse).toList();
                case "--impls" -> impls = Arrays.stream(args[++i].split(",")).map(FaultsBench::parseImpl).toList();
                default -> {
                    System.err.println("usage: bench/faults [--trials N] [--cases " + Arrays.stream(Case.values()).map(c -> c.label)
                            .collect(Collectors.joining(",")) + "] [--impls keepalived,omlha]");
                    System.exit(2);
                }
            }
        }
        long started = System.nanoTime();
        FaultsBench bench = new FaultsBench(home.toAbsolutePath().normalize());
        List<Result> results = bench.measure(cases, impls, trials);
        print(results, trials, (System.nanoTime() - started) / 60e9);
    }

    static Impl parseImpl(String name) {
        return switch (name.trim()) {
            case "keepalived" -> Impl.KEEPALIVED;
            case "omlha" -> Impl.OMLHA;
            default -> throw new IllegalArgumentException("unknown implementation " + name + " (keepalived, omlha)");
        };
    }

    /** Every case for every implementation, {@code trials} times; the worst trial of each cell is kept. */
    List<Result> measure(List<Case> cases, List<Impl> impls, int trials) throws Exception {
        List<Result> rows = new ArrayList<>();
        for (Case c : cases) {
            for (Impl impl : impls) {
                Map<String, Result> worst = new LinkedHashMap<>();
                for (int trial = 0; trial < trials; trial++) {
                    List<Result> results;
                    try {
                        results = run(c, impl);
                    } catch (Exception | Error e) {
                        System.err.printf("faults: %s %s trial %d FAILED: %s%n", c.label, impl.label, trial + 1, e);
                        results = List.of(new Result(c.label, impl, null, null, Double.NaN, Double.NaN, -1, "", "bench error: "
                                + firstLine(e.getMessage()), target(c.label), false));
                    }
                    for (Result r : results) {
                        System.err.printf("faults: %s %s trial %d: %s%n", r.caseLabel(), impl.label, trial + 1, describe(r));
                        worst.merge(r.caseLabel(), r, FaultsBench::worse);
                    }
                }
                rows.addAll(worst.values());
            }
        }
        return rows;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    /**
     * The worst of two trials of one cell, figure by figure (most failed, longest gap, slowest request, longest two
     * holders, most spurious transitions), met only if both met; the notes are those of the worse trial.
     */
    static Result worse(Result a, Result b) {
        if (a.tcp() == null || b.tcp() == null) {
            return a.tcp() == null ? a : b;
        }
        Result notes = score(b) > score(a) ? b : a;
        Boolean met = a.met() == null || b.met() == null ? null : a.met() && b.met();
        return new Result(a.caseLabel(), a.impl(), worse(a.tcp(), b.tcp(), notes.tcp()), worse(a.sip(), b.sip(), notes.sip()),
                Math.max(a.twoHoldersMs(), b.twoHoldersMs()), maxOrNaN(a.twoHoldersAfterHealMs(), b.twoHoldersAfterHealMs()),
                Math.max(a.spurious(), b.spurious()), notes.transitions(), notes.note(), a.target(), met);
    }

    private static ClientFigures worse(ClientFigures a, ClientFigures b, ClientFigures notes) {
        return new ClientFigures(Math.max(a.sent(), b.sent()), Math.max(a.failed(), b.failed()), Math.max(a.longestGapMs(), b.longestGapMs()),
                notes.gapStartMs(), maxOrNaN(a.gapAfterFaultMs(), b.gapAfterFaultMs()),
                Math.max(a.maxLatencyMs(), b.maxLatencyMs()), Math.max(a.slow(), b.slow()), Math.max(a.retransmissions(), b.retransmissions()),
                notes.failures());
    }

    private static double maxOrNaN(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    }

    private static double score(Result r) {
        return (r.tcp().failed() + r.sip().failed()) * 1e6 + r.tcp().longestGapMs() + r.sip().longestGapMs();
    }

    // ---------------------------------------------------------------- one case on a fresh lab

    /** A node under test, either implementation. */
    private interface Node {
        void start() throws IOException;

        /** SIGTERM, returns when the process is gone. */
        void terminate() throws Exception;

        /** SIGKILL and the reap. */
        void kill() throws Exception;

        List<ProcessHandle> processes();

        boolean checkUp();

        boolean settledAsBackup();

        long logMark();

        /** The states entered since {@code mark}, in order. */
        List<String> transitionsSince(long mark);

        String log();
    }

    private final class AgentNode implements Node {
        final LabAgent agent;
        final NetnsLab lab;
        final Path stateDir;

        AgentNode(NetnsLab lab, NetnsLab.Host host, int priority) throws IOException {
            this.lab = lab;
            this.stateDir = lab.workDir().resolve("state-" + host.name());
            String extra = stateDirKey ? "  state-dir = \"" + stateDir + "\"\n" : "";
            if (stateDirKey) {
                Files.createDirectories(lab.workDir().resolve("state-" + host.name()));
            }
            this.agent = new LabAgent(lab, host, List.of(home.resolve("bin/omlha-agent").toString()), extra + ServiceFailureBench.agentConfig(priority));
        }

        public void start() throws IOException { agent.start(); }
        public void terminate() throws Exception { agent.terminate(); }
        public void kill() throws Exception { agent.kill(); }
        public List<ProcessHandle> processes() { return List.of(agent.process().toHandle()); }

        public boolean checkUp() {
            return agent.status().map(s -> s.probes().stream().anyMatch(p -> p.name().equals("web") && p.up())).orElse(false);
        }

        public boolean settledAsBackup() {
            return agent.group("web").map(g -> g.state().equals("BACKUP") && g.master() != null).orElse(false);
        }

        public long logMark() { return size(agent.log()); }

        public List<String> transitionsSince(long mark) {
            List<String> to = new ArrayList<>();
            Matcher m = AGENT_TRANSITION.matcher(since(agent.log(), mark));
            while (m.find()) {
                to.add(m.group(2));
            }
            return to;
        }

        public String log() { return tail(agent.logText(), 40); }

        /** {@code omlha-agent ARGS} inside the host's namespace: exit code and output. */
        Command command(String... args) throws IOException, InterruptedException {
            List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", agent.host().namespace(), home.resolve("bin/omlha-agent").toString()));
            full.addAll(List.of(args));
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Command(-1, "no exit within 60 s", (System.nanoTime() - t0) / 1e6);
            }
            return new Command(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim(), (System.nanoTime() - t0) / 1e6);
        }
    }

    record Command(int exit, String output, double millis) {}

    private static final class KeepalivedNode implements Node {
        final LabKeepalived keepalived;
        final Path log;
        final Path conf;
        final int priority;

        KeepalivedNode(NetnsLab lab, NetnsLab.Host host, int priority) {
            this.keepalived = new LabKeepalived(lab, host);
            this.log = lab.workDir().resolve("keepalived-" + host.name()).resolve("keepalived.log");
            this.conf = lab.workDir().resolve("keepalived-" + host.name()).resolve("keepalived.conf");
            this.priority = priority;
        }

        public void start() throws IOException { keepalived.start(ServiceFailureBench.keepalivedConfig(priority)); }
        public void terminate() throws Exception { keepalived.stop(); }
        /** SIGKILL of the parent and its VRRP child at once; returns when the parent is reaped and the child gone (5 s at most). */
        public void kill() throws Exception {
            List<ProcessHandle> all = processes();
            List<String> command = new ArrayList<>(List.of("kill", "-KILL"));
            all.forEach(p -> command.add(Long.toString(p.pid())));
            NetnsLab.run(command.toArray(String[]::new));
            keepalived.process().waitFor(5, TimeUnit.SECONDS);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (all.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() - end < 0) {
                Thread.sleep(1);
            }
        }

        public List<ProcessHandle> processes() {
            List<ProcessHandle> all = new ArrayList<>(keepalived.process().descendants().toList());
            all.add(keepalived.process().toHandle());
            return all;
        }

        public boolean checkUp() { return keepalived.log().contains("chk_haproxy) succeeded"); }
        public boolean settledAsBackup() { return keepalived.log().contains("Entering BACKUP STATE"); }
        public long logMark() { return size(log); }

        public List<String> transitionsSince(long mark) {
            List<String> to = new ArrayList<>();
            Matcher m = KEEPALIVED_TRANSITION.matcher(since(log, mark));
            while (m.find()) {
                to.add(m.group(1));
            }
            return to;
        }

        public String log() { return keepalived.logTail(); }

        /** keepalived's nearest equivalent of maintenance: the config rewritten with another priority, then SIGHUP. */
        void reloadWithPriority(int newPriority) throws IOException {
            Files.writeString(conf, ServiceFailureBench.keepalivedConfig(newPriority));
            NetnsLab.run("kill", "-HUP", Long.toString(keepalived.process().pid()));
        }
    }

    /** The lab of one case: two nodes with HAProxy and Kamailio, a client, the two callers, the VIP watches. */
    private final class Run implements AutoCloseable {
        final Impl impl;
        final NetnsLab lab;
        final NetnsLab.Host n1;
        final NetnsLab.Host n2;
        final NetnsLab.Host client;
        final LabHaproxy haproxy1;
        final Node node1;
        final Node node2;
        CallerHttpClient tcp;
        NamespaceSipClient sip;
        AddressWatch watch1;
        AddressWatch watch2;
        long mark1;
        long mark2;

        Run(Impl impl, boolean flooder) throws Exception {
            this.impl = impl;
            this.lab = NetnsLab.create();
            try {
                n1 = lab.addHost("n1", "192.0.2.11/24", null);
                n2 = lab.addHost("n2", "192.0.2.12/24", null);
                client = lab.addHost("cl", CLIENT_IP + "/24", null);
                if (flooder) {
                    lab.addHost("fl", FLOODER_IP + "/24", null);
                }
                haproxy1 = new LabHaproxy(lab, n1);
                LabHaproxy haproxy2 = new LabHaproxy(lab, n2);
                haproxy1.start();
                haproxy2.start();
                // Bound to the VIP (ip_nonlocal_bind), the node's address and loopback: it answers from the VIP.
                new LabKamailio(lab, n1, List.of(VIP, n1.ipv4(), "127.0.0.1")).start();
                new LabKamailio(lab, n2, List.of(VIP, n2.ipv4(), "127.0.0.1")).start();
                node1 = impl == Impl.OMLHA ? new AgentNode(lab, n1, 150) : new KeepalivedNode(lab, n1, 150);
                node2 = impl == Impl.OMLHA ? new AgentNode(lab, n2, 100) : new KeepalivedNode(lab, n2, 100);
                node1.start();
                node2.start();
                BenchLab.await(() -> holds(n1) && !holds(n2) && node1.checkUp() && node2.checkUp() && node2.settledAsBackup(),
                        "n1 master with HAProxy checked up, n2 backup", LIMIT, 20, node1::log, node2::log);
                watch1 = AddressWatch.start(lab, n1, VIP);
                watch2 = AddressWatch.start(lab, n2, VIP);
                InetAddress vip = InetAddress.getByName(VIP);
                tcp = CallerHttpClient.start(client.namespace(), new InetSocketAddress(vip, LabHaproxy.PORT), "/", PERIOD, CONNECT_TIMEOUT,
                        REPLY_TIMEOUT, Duration.ofSeconds(120));
                sip = NamespaceSipClient.start(client.namespace(), new InetSocketAddress(vip, LabKamailio.PORT), CLIENT_IP, PERIOD, TIMER_F,
                        Duration.ofSeconds(120));
                awaitOrThrow(() -> "n1".equals(tcp.lastNode()) && "n1".equals(sip.lastNode()), "both callers get answers from n1");
                Thread.sleep(500);
                mark1 = node1.logMark();
                mark2 = node2.logMark();
            } catch (Exception | Error e) {
                close();
                throw e;
            }
        }

        boolean holds(NetnsLab.Host host) {
            return BenchLab.holds(lab, host, VIP);
        }

        boolean servedBy(String node) {
            return node.equals(tcp.lastNode()) && node.equals(sip.lastNode());
        }

        boolean onlyHolder(NetnsLab.Host host) {
            return holds(host) && !holds(host == n1 ? n2 : n1);
        }

        void awaitOrThrow(BooleanSupplier condition, String what) throws InterruptedException {
            BenchLab.await(condition, what, LIMIT, 20, node1::log, node2::log);
        }

        /** Waits (bounded) and says whether it came true: a case goes on either way, and its note says so. */
        boolean awaitQuietly(BooleanSupplier condition, Duration limit) throws InterruptedException {
            long end = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() - end < 0) {
                if (condition.getAsBoolean()) {
                    return true;
                }
                Thread.sleep(20);
            }
            return condition.getAsBoolean();
        }

        /** Stops both callers at once, lets their open requests end (bounded by their timeouts), stops the watches. */
        void stopClients() {
            tcp.stopSending();
            sip.stopSending();
            Duration drain = CONNECT_TIMEOUT.plus(REPLY_TIMEOUT).plusSeconds(1);
            tcp.close(drain);
            sip.close(TIMER_F.plusMillis(500));
            watch1.close();
            watch2.close();
        }

        Result result(String label, long from, long to, long healNanos, List<String> expected1, List<String> expected2, String note,
                Boolean vipGoneTarget) throws IOException {
            ClientFigures t = ClientFigures.of(tcp.calls(), from, to, healNanos);
            ClientFigures s = ClientFigures.of(sip.calls(), from, to, healNanos);
            double two = AddressWatch.overlapMillis(watch1, watch2, from, to);
            System.err.printf("faults: %s %s: VIP on n1 %s, on n2 %s (ms from the window's start, which lasted %.0f ms)%n", label, impl.label,
                    relative(watch1.periods(), from), relative(watch2.periods(), from), (to - from) / 1e6);
            double afterHeal = healNanos == 0 ? Double.NaN : AddressWatch.overlapMillis(watch1, watch2, healNanos, to);
            List<String> seen1 = node1.transitionsSince(mark1);
            List<String> seen2 = node2.transitionsSince(mark2);
            int spurious = expected1 == null ? -1 : spurious(seen1, expected1) + spurious(seen2, expected2);
            String transitions = "n1 " + seen1 + ", n2 " + seen2;
            String target = target(label);
            Boolean met = met(label, t, s, spurious, vipGoneTarget);
            return new Result(label, impl, t, s, two, afterHeal, spurious, transitions, note, target, met);
        }

        void remark() {
            mark1 = node1.logMark();
            mark2 = node2.logMark();
        }

        @Override
        public void close() {
            if (tcp != null) {
                tcp.close(Duration.ZERO);
            }
            if (sip != null) {
                sip.close(Duration.ZERO);
            }
            if (watch1 != null) {
                watch1.close();
            }
            if (watch2 != null) {
                watch2.close();
            }
            lab.close();
        }
    }

    private static String relative(List<AddressWatch.Held> periods, long from) {
        return periods.stream().map(p -> "[" + ms((p.from() - from) / 1e6) + ", " + (p.to() == Long.MAX_VALUE ? "end" : ms((p.to() - from) / 1e6)) + ")")
                .collect(Collectors.joining(" "));
    }

    private static final List<String> DOWN = List.of("DOWN");

    /** Transitions in {@code seen} not matched by one in {@code expected} ("DOWN" matches any state but MASTER). */
    static int spurious(List<String> seen, List<String> expected) {
        List<String> left = new ArrayList<>(expected);
        int extra = 0;
        for (String state : seen) {
            int at = -1;
            for (int i = 0; i < left.size(); i++) {
                String e = left.get(i);
                if (e.equals(state) || (e.equals("DOWN") && !state.equals("MASTER"))) {
                    at = i;
                    break;
                }
            }
            if (at >= 0) {
                left.remove(at);
            } else {
                extra++;
            }
        }
        return extra;
    }

    /** The target for a row, as the table prints it. */
    static String target(String label) {
        return switch (label) {
            case "stop", "maintenance-on", "maintenance-off", "takeover" -> "0 failed, gap <= 20 ms (both)";
            case "dead-haproxy" -> "TCP gap <= 150 ms";
            case "kill-9" -> "no VIP on n1 100 ms after reap";
            case "flood", "stress" -> "no transition";
            default -> "-";
        };
    }

    static Boolean met(String label, ClientFigures t, ClientFigures s, int spurious, Boolean vipGone) {
        return switch (label) {
            case "stop", "maintenance-on", "maintenance-off", "takeover" ->
                t.failed() == 0 && s.failed() == 0 && t.longestGapMs() <= 20 && s.longestGapMs() <= 20;
            case "dead-haproxy" -> t.longestGapMs() <= 150;
            case "kill-9" -> vipGone;
            case "flood", "stress" -> spurious == 0;
            default -> null;
        };
    }

    List<Result> run(Case c, Impl impl) throws Exception {
        try (Run run = new Run(impl, c == Case.FLOOD)) {
            return switch (c) {
                case STOP -> stop(run);
                case MAINTENANCE -> maintenance(run);
                case DEAD_HAPROXY -> deadHaproxy(run);
                case TAKEOVER -> takeover(run);
                case KILL9 -> kill9(run);
                case PARTITION_MASTER -> partition(run, run.n1, "partition-master");
                case PARTITION_BACKUP -> partition(run, run.n2, "partition-backup");
                case FREEZE -> freeze(run);
                case FLAP -> flap(run);
                case FLOOD -> flood(run);
                case STRESS -> stress(run);
            };
        }
    }

    private List<Result> stop(Run run) throws Exception {
        long from = System.nanoTime();
        run.node1.terminate();
        double stopMs = (System.nanoTime() - from) / 1e6;
        boolean settled = run.awaitQuietly(() -> run.onlyHolder(run.n2) && run.servedBy("n2"), LIMIT);
        Thread.sleep(OBSERVE.toMillis());
        long to = System.nanoTime();
        run.stopClients();
        return List.of(run.result("stop", from, to, 0, DOWN, List.of("MASTER"),
                String.format(Locale.ROOT, "SIGTERM to exit %.0f ms", stopMs) + (settled ? "" : "; n2 never served alone"), null));
    }

    private List<Result> maintenance(Run run) throws Exception {
        long from = System.nanoTime();
        String noteOn;
        String noteOff;
        if (run.impl == Impl.OMLHA) {
            if (!maintenanceCommand) {
                run.stopClients();
                String none = "this build has no 'maintenance' command";
                return List.of(new Result("maintenance-on", run.impl, null, null, Double.NaN, Double.NaN, -1, "", none, target("maintenance-on"), null),
                        new Result("maintenance-off", run.impl, null, null, Double.NaN, Double.NaN, -1, "", none, target("maintenance-off"), null));
            }
            AgentNode agent = (AgentNode) run.node1;
            Command on = agent.command("maintenance", "on", "web", "--socket", agent.agent.socket().toString());
            noteOn = String.format(Locale.ROOT, "'maintenance on' exit %d in %.0f ms: %s", on.exit(), on.millis(), firstLine(on.output()));
        } else {
            ((KeepalivedNode) run.node1).reloadWithPriority(MAINTENANCE_PRIORITY);
            noteOn = "priority 150 -> " + MAINTENANCE_PRIORITY + " in keepalived.conf, SIGHUP";
        }
        boolean handed = run.awaitQuietly(() -> run.onlyHolder(run.n2) && run.servedBy("n2"), LIMIT);
        Thread.sleep(OBSERVE.toMillis());
        long middle = System.nanoTime();
        List<String> on1 = run.node1.transitionsSince(run.mark1);
        List<String> on2 = run.node2.transitionsSince(run.mark2);
        long offMark1 = run.node1.logMark();
        long offMark2 = run.node2.logMark();
        if (run.impl == Impl.OMLHA) {
            AgentNode agent = (AgentNode) run.node1;
            Command off = agent.command("maintenance", "off", "web", "--socket", agent.agent.socket().toString());
            noteOff = String.format(Locale.ROOT, "'maintenance off' exit %d in %.0f ms: %s", off.exit(), off.millis(), firstLine(off.output()));
        } else {
            ((KeepalivedNode) run.node1).reloadWithPriority(150);
            noteOff = "priority back to 150, SIGHUP";
        }
        boolean back = run.awaitQuietly(() -> run.onlyHolder(run.n1) && run.servedBy("n1"), LIMIT);
        Thread.sleep(OBSERVE.toMillis());
        long to = System.nanoTime();
        run.stopClients();
        Result onRow = run.result("maintenance-on", from, middle, 0, DOWN, List.of("MASTER"), noteOn + (handed ? "" : "; n2 never served alone"), null);
        onRow = withTransitions(onRow, on1, on2, DOWN, List.of("MASTER"));
        long fullMark1 = run.mark1;
        long fullMark2 = run.mark2;
        run.mark1 = offMark1;
        run.mark2 = offMark2;
        Result offRow = run.result("maintenance-off", middle, to, 0, List.of("MASTER"), DOWN, noteOff + (back ? "" : "; n1 never served alone again"), null);
        run.mark1 = fullMark1;
        run.mark2 = fullMark2;
        return List.of(onRow, offRow);
    }

    private static Result withTransitions(Result r, List<String> seen1, List<String> seen2, List<String> expected1, List<String> expected2) {
        int spurious = spurious(seen1, expected1) + spurious(seen2, expected2);
        return new Result(r.caseLabel(), r.impl(), r.tcp(), r.sip(), r.twoHoldersMs(), r.twoHoldersAfterHealMs(), spurious,
                "n1 " + seen1 + ", n2 " + seen2, r.note(), r.target(), r.met());
    }

    private List<Result> deadHaproxy(Run run) throws Exception {
        Thread.sleep(ThreadLocalRandom.current().nextLong(1000)); // a random phase of the 1 s check interval
        long from = System.nanoTime();
        run.haproxy1.kill();
        boolean moved = run.awaitQuietly(() -> "n2".equals(run.tcp.lastNode()) && run.onlyHolder(run.n2), LIMIT);
        Thread.sleep(OBSERVE.toMillis());
        long to = System.nanoTime();
        run.stopClients();
        return List.of(run.result("dead-haproxy", from, to, 0, DOWN, List.of("MASTER"), moved ? "" : "the VIP never moved to n2 alone", null));
    }

    private List<Result> takeover(Run run) throws Exception {
        run.node1.terminate();
        run.awaitOrThrow(() -> run.onlyHolder(run.n2) && run.servedBy("n2"), "n2 serves after n1's stop");
        Thread.sleep(1000);
        run.remark();
        long from = System.nanoTime();
        run.node1.start();
        boolean back = run.awaitQuietly(() -> run.onlyHolder(run.n1) && run.servedBy("n1"), LIMIT);
        Thread.sleep(OBSERVE.toMillis());
        long to = System.nanoTime();
        run.stopClients();
        return List.of(run.result("takeover", from, to, 0, List.of("DOWN", "MASTER"), DOWN,
                "window from n1's start" + (back ? "" : "; n1 never served alone"), null));
    }

    private List<Result> kill9(Run run) throws Exception {
        long from = System.nanoTime();
        run.node1.kill();
        long reaped = System.nanoTime();
        Process release = null;
        Path releaseLog = run.lab.workDir().resolve("release-vips.log");
        if (run.impl == Impl.OMLHA) {
            AgentNode agent = (AgentNode) run.node1;
            // As the unit's ExecStopPost= runs it: systemd sets STATE_DIRECTORY (StateDirectory=omlha), where the agent
            // listed the VIPs it may hold; the launcher then removes them with ip(8), without a JVM.
            List<String> command = new ArrayList<>();
            if (stateDirKey) {
                command.addAll(List.of("env", "STATE_DIRECTORY=" + agent.stateDir));
            }
            command.addAll(List.of(home.resolve("bin/omlha-agent").toString(), "release-vips", "-c", agent.agent.config().toString()));
            release = run.lab.start(run.n1, command, releaseLog);
        }
        long at100 = reaped + TimeUnit.MILLISECONDS.toNanos(100);
        while (System.nanoTime() - at100 < 0) {
            Thread.sleep(5);
        }
        boolean heldAt100Poll = run.holds(run.n1);
        String releaseNote = "";
        if (release != null) {
            if (!release.waitFor(30, TimeUnit.SECONDS)) {
                release.destroyForcibly();
            }
            releaseNote = String.format(Locale.ROOT, "release-vips exit %s after %.0f ms; ", release.isAlive() ? "?" : release.exitValue(),
                    (System.nanoTime() - reaped) / 1e6);
        }
        run.awaitQuietly(() -> run.holds(run.n2) && run.servedBy("n2"), LIMIT);
        Thread.sleep(OBSERVE.toMillis());
        long to = System.nanoTime();
        run.stopClients();
        boolean heldAt100 = run.watch1.heldAt(at100) || heldAt100Poll;
        OptionalLong gone = run.watch1.releasedAfter(reaped);
        String goneText = gone.isPresent() ? String.format(Locale.ROOT, "VIP left n1 %.0f ms after the reap", (gone.getAsLong() - reaped) / 1e6)
                : "VIP still on n1 at the end (" + String.format(Locale.ROOT, "%.0f", (to - reaped) / 1e6) + " ms after the reap)";
        String hook = run.impl == Impl.OMLHA ? "ExecStopPost: " + (stateDirKey ? "STATE_DIRECTORY=state-dir " : "") + "release-vips right after the reap; "
                : "keepalived has no such hook; ";
        return List.of(run.result("kill-9", from, to, 0, List.of(), List.of("MASTER"),
                hook + releaseNote + goneText + "; held at reap + 100 ms: " + (heldAt100 ? "yes" : "no"), !heldAt100));
    }

    private List<Result> partition(Run run, NetnsLab.Host cut, String label) throws Exception {
        long from = System.nanoTime();
        NetnsLab.run("ip", "-n", run.lab.switchNamespace(), "link", "set", cut.switchPort(), "nomaster");
        Thread.sleep(3000);
        long heal = System.nanoTime();
        NetnsLab.run("ip", "-n", run.lab.switchNamespace(), "link", "set", cut.switchPort(), "master", "br0");
        boolean settled = run.awaitQuietly(() -> run.onlyHolder(run.n1) && run.servedBy("n1"), LIMIT);
        Thread.sleep(OBSERVE.toMillis());
        long to = System.nanoTime();
        run.stopClients();
        return List.of(run.result(label, from, to, heal, List.of(), List.of("MASTER", "DOWN"),
                settled ? "" : "n1 never served alone after the heal", null));
    }

    private static void signal(List<ProcessHandle> processes, String signal) throws IOException {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        processes.forEach(p -> command.add(Long.toString(p.pid())));
        NetnsLab.run(command.toArray(String[]::new));
    }

    private List<Result> freeze(Run run) throws Exception {
        List<ProcessHandle> frozen = run.node1.processes();
        long from = System.nanoTime();
        signal(frozen, "STOP");
        try {
            Thread.sleep(3000);
        } finally {
            signal(frozen, "CONT");
        }
        long thawed = System.nanoTime();
        boolean settled = run.awaitQuietly(() -> run.onlyHolder(run.n1) && run.servedBy("n1"), LIMIT);
        Thread.sleep(OBSERVE.toMillis());
        long to = System.nanoTime();
        run.stopClients();
        return List.of(run.result("freeze", from, to, thawed, List.of(), List.of("MASTER", "DOWN"),
                settled ? "" : "n1 never served alone after SIGCONT", null));
    }

    private List<Result> flap(Run run) throws Exception {
        long from = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            run.lab.setCable(run.n1, false);
            Thread.sleep(250);
            run.lab.setCable(run.n1, true);
            Thread.sleep(250);
        }
        long lastUp = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(250);
        boolean settled = run.awaitQuietly(() -> run.onlyHolder(run.n1) && run.servedBy("n1"), LIMIT);
        Thread.sleep(OBSERVE.toMillis());
        long to = System.nanoTime();
        run.stopClients();
        Result r = run.result("flap", from, to, lastUp, null, null, settled ? "" : "n1 never served alone after the flaps", null);
        return List.of(r);
    }

    private List<Result> flood(Run run) throws Exception {
        Path script = run.lab.workDir().resolve("flood.py");
        Files.writeString(script, FLOOD_SCRIPT);
        NetnsLab.Host flooder = run.lab.hosts().stream().filter(h -> h.name().equals("fl")).findFirst().orElseThrow();
        long from = System.nanoTime();
        Path floodLog = run.lab.workDir().resolve("flood.log");
        Process p = run.lab.start(flooder, List.of("python3", script.toString(), FLOODER_IP, Integer.toString(FLOOD_SECONDS),
                Integer.toString(FLOOD_RATE), "192.0.2.11", "192.0.2.12"), floodLog);
        if (!p.waitFor(FLOOD_SECONDS + 20L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        Thread.sleep(1000);
        long to = System.nanoTime();
        run.stopClients();
        String sent = Files.readString(floodLog).trim();
        return List.of(run.result("flood", from, to, 0, List.of(), List.of(), "flooder: " + firstLine(sent), null));
    }

    private List<Result> stress(Run run) throws Exception {
        long from = System.nanoTime();
        int cpus = Runtime.getRuntime().availableProcessors();
        Process stress = new ProcessBuilder("stress-ng", "--cpu", Integer.toString(cpus), "--timeout", STRESS_SECONDS + "s")
                .redirectErrorStream(true).redirectOutput(run.lab.workDir().resolve("stress-ng.log").toFile()).start();
        try {
            if (!stress.waitFor(STRESS_SECONDS + 30L, TimeUnit.SECONDS)) {
                throw new IllegalStateException("stress-ng still running " + (STRESS_SECONDS + 30) + " s after its start");
            }
        } finally {
            stress.descendants().forEach(ProcessHandle::destroyForcibly);
            stress.destroyForcibly();
            stress.waitFor(5, TimeUnit.SECONDS);
        }
        Thread.sleep(1000);
        long to = System.nanoTime();
        run.stopClients();
        return List.of(run.result("stress", from, to, 0, List.of(), List.of(), "stress-ng --cpu " + cpus + " (the callers' JVM shares the cores)", null));
    }

    /**
     * Malformed VRRP from a third host, to the VRRP group and to both nodes, each kind in turn: garbage of random
     * length, a v3 advert for VRID 51 priority 254 with a wrong checksum, the same with a right checksum but TTL 1, one
     * whose address count says more addresses than it carries, version 2 in a v3 group, a truncated header. None is a
     * valid advert; a receiver must drop every one.
     */
    private static final String FLOOD_SCRIPT = String.join("\n",
            "import os, random, socket, struct, sys, time",
            "src, seconds, rate, targets = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]",
            "def csum(data):",
            "    if len(data) % 2: data += b'\\0'",
            "    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))",
            "    while s >> 16: s = (s & 0xffff) + (s >> 16)",
            "    return (~s) & 0xffff",
            "def advert(dst, version=3, count=1, addrs=1, good=True):",
            "    body = struct.pack('!BBBBH', (version << 4) | 1, 51, 254, count, 10) + socket.inet_aton('192.0.2.100') * addrs",
            "    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack('!BBH', 0, 112, len(body))",
            "    c = csum(pseudo + body[:6] + b'\\0\\0' + body[8:])",
            "    if not good: c ^= 0x5a5a",
            "    return body[:6] + struct.pack('!H', c) + body[8:]",
            "def sock(ttl):",
            "    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)",
            "    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)",
            "    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)",
            "    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(src))",
            "    s.setblocking(False)",
            "    return s",
            "ok, low = sock(255), sock(1)",
            "dsts = ['224.0.0.18'] + targets",
            "kinds = ['garbage', 'checksum', 'ttl', 'count', 'version', 'truncated']",
            "sent = dict((k, 0) for k in kinds); dropped = 0",
            "end = time.monotonic() + seconds; batch = max(1, rate // 1000); n = 0",
            "while time.monotonic() < end:",
            "    t0 = time.monotonic()",
            "    for i in range(batch):",
            "        kind = kinds[n % len(kinds)]; dst = dsts[n % len(dsts)]; n += 1; s = ok",
            "        if kind == 'garbage': p = os.urandom(random.randint(1, 80))",
            "        elif kind == 'checksum': p = advert(dst, good=False)",
            "        elif kind == 'ttl': p = advert(dst); s = low",
            "        elif kind == 'count': p = advert(dst, count=5, addrs=1)",
            "        elif kind == 'version': p = advert(dst, version=2)",
            "        else: p = advert(dst)[:5]",
            "        try:",
            "            s.sendto(p, (dst, 0)); sent[kind] += 1",
            "        except (BlockingIOError, OSError):",
            "            dropped += 1",
            "    pause = 0.001 - (time.monotonic() - t0)",
            "    if pause > 0: time.sleep(pause)",
            "print('sent %d in %.0f s (%s), %d not sent (socket full)' % (sum(sent.values()), seconds,",
            "      ', '.join('%s %d' % kv for kv in sent.items()), dropped))",
            "");

    // ---------------------------------------------------------------- output

    static String ms(double value) {
        return Double.isNaN(value) ? "-" : BenchFormat.decimals(value, 0);
    }

    static String signed(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%+.0f", value);
    }

    static String client(ClientFigures f) {
        return f == null ? "-" : f.failed() + "/" + f.sent();
    }

    static String gap(ClientFigures f) {
        return f == null ? "-" : ms(f.longestGapMs()) + (Double.isNaN(f.gapAfterFaultMs()) ? "" : " (after " + ms(f.gapAfterFaultMs()) + ")");
    }

    static String latency(ClientFigures f, boolean sip) {
        if (f == null) {
            return "-";
        }
        return ms(f.maxLatencyMs()) + (f.slow() > 0 ? " (" + f.slow() + " >= 0.9 s)" : "") + (sip && f.retransmissions() > 0 ? ", " + f.retransmissions() + " retx" : "");
    }

    /** "failed TCP/SIP, gap TCP/SIP" of a row, for bench/all. */
    static String callers(Result r) {
        if (r == null || r.tcp() == null) {
            return "-";
        }
        return r.tcp().failed() + "/" + r.sip().failed() + ", " + gap(r.tcp()) + "/" + gap(r.sip());
    }

    /** "two holders, spurious" of a row, for bench/all. */
    static String holdersAndSpurious(Result r) {
        return r == null ? "-" : holders(r) + ", " + spuriousText(r);
    }

    static String holders(Result r) {
        if (Double.isNaN(r.twoHoldersMs())) {
            return "-";
        }
        return ms(r.twoHoldersMs()) + (Double.isNaN(r.twoHoldersAfterHealMs()) ? "" : " (after " + ms(r.twoHoldersAfterHealMs()) + ")");
    }

    static String spuriousText(Result r) {
        if (r.tcp() == null) {
            return "-";
        }
        return r.spurious() < 0 ? "n/a" : Integer.toString(r.spurious());
    }

    static String metText(Result r) {
        return r.met() == null ? "-" : r.met() ? "yes" : "NO";
    }

    static String describe(Result r) {
        return String.format(Locale.ROOT, "TCP %s failed (%s), gap %s ms, max latency %s; SIP %s failed (%s), gap %s ms, max %s; two holders %s ms; "
                + "spurious %s; transitions %s; %s; met %s", client(r.tcp()), r.tcp() == null ? "" : r.tcp().failures(), gap(r.tcp()),
                latency(r.tcp(), false), client(r.sip()), r.sip() == null ? "" : r.sip().failures(), gap(r.sip()), latency(r.sip(), true),
                holders(r), spuriousText(r), r.transitions(), r.note(), metText(r));
    }

    static void print(List<Result> results, int trials, double minutes) {
        System.out.printf("%nFaults as callers feel them, keepalived %s and omlha-agent side by side, same lab, same run (%d CPUs, %.1f min, "
                + "worst of %d trial%s per cell, figure by figure)%n", keepalivedVersion(), Runtime.getRuntime().availableProcessors(), minutes, trials,
                trials == 1 ? "" : "s");
        System.out.println("n1 main 150 / n2 backup 100, VRRPv3, adverts 100 ms, HAProxy tracked weight 0; callers every 10 ms: TCP a new connection"
                + " (connect timeout 3 s, reply 3 s), SIP an OPTIONS transaction (T1 500 ms, T2 4 s, Timer F capped at " + TIMER_F.toSeconds() + " s);"
                + " failed = failed/sent in the case's window; gap = longest time between two successive answers, ms; max = slowest request, ms"
                + " (>= 0.9 s: a lost SYN or a retransmission); two holders = ms both nodes held the VIP (ip monitor address);"
                + " (after N) = gap ending / two holders after the fault ended (the heal, SIGCONT, the last link up)");
        System.out.println();
        String format = "| %-16s | %-10s | %-10s | %-16s | %-18s | %-10s | %-16s | %-28s | %-16s | %-8s | %-31s | %-4s |%n";
        System.out.printf(format, "case", "impl", "TCP failed", "TCP gap", "TCP max", "SIP failed", "SIP gap", "SIP max", "two holders ms", "spurious",
                "target", "met");
        System.out.printf(format, "-".repeat(16), "-".repeat(10), "-".repeat(10), "-".repeat(16), "-".repeat(18), "-".repeat(10), "-".repeat(16),
                "-".repeat(28), "-".repeat(16), "-".repeat(8), "-".repeat(31), "-".repeat(4));
        for (Result r : results) {
            System.out.printf(format, r.caseLabel(), r.impl().label, client(r.tcp()), gap(r.tcp()), latency(r.tcp(), false), client(r.sip()),
                    gap(r.sip()), latency(r.sip(), true), holders(r), spuriousText(r), r.target(), metText(r));
        }
        System.out.println();
        System.out.println("Notes per row (failure reasons, transitions seen in the window, what the case did):");
        for (Result r : results) {
            String failures = (r.tcp() == null || r.tcp().failures().isEmpty() ? "" : "TCP: " + r.tcp().failures() + "; ")
                    + (r.sip() == null || r.sip().failures().isEmpty() ? "" : "SIP: " + r.sip().failures() + "; ");
            String gaps = r.tcp() == null ? "" : "longest gap starts at " + signed(r.tcp().gapStartMs()) + " ms (TCP), " + signed(r.sip().gapStartMs())
                    + " ms (SIP) into the window; " + (Double.isNaN(r.tcp().gapAfterFaultMs()) ? "" : "longest gap ending after the fault: TCP "
                    + ms(r.tcp().gapAfterFaultMs()) + " ms, SIP " + ms(r.sip().gapAfterFaultMs()) + " ms; ");
            System.out.printf("- %s, %s: %s%s%s%s%n", r.caseLabel(), r.impl().label, failures, gaps,
                    r.transitions().isEmpty() ? "" : "transitions " + r.transitions() + "; ", r.note());
        }
    }

    static String keepalivedVersion() {
        try {
            String out = new String(new ProcessBuilder("keepalived", "--version").redirectErrorStream(true).start().getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8);
            String first = out.lines().findFirst().orElse("");
            return first.startsWith("Keepalived v") ? first.substring("Keepalived ".length()).split(" ")[0] : "?";
        } catch (IOException e) {
            return "?";
        }
    }

    // ---------------------------------------------------------------- logs

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String since(Path file, long mark) {
        try {
            byte[] all = Files.readAllBytes(file);
            int from = (int) Math.min(mark, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
