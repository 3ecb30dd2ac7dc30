package org.omnileads.omlha.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every benchmark, keepalived and omlha-agent side by side in the same namespace lab and the same run, printed as one
 * table with the ratio and the target the project holds itself to: what one node costs (CPU, RSS, start to first
 * advert), how long failover takes (power-off, SIGTERM, a dead service), and whether adverts stay on time while a CPU
 * stress loads every core. Each row comes from the bench that measures it alone ({@code bench/resources},
 * {@code bench/run}, {@code bench/service-failure}, {@code bench/jitter}, {@code bench/faults}); their stderr shows each trial.
 * The faults (stop, maintenance, dead HAProxy, takeover, kill -9, partitions, freeze, flap, flood, stress) come last, two
 * rows each: what a TCP and a SIP caller behind the VIP felt, and how long both nodes held the VIP.
 */
public final class FullBench {
    private static final List<String> RESOURCE_CASES = List.of("3x1s", "3x100ms", "3x10ms", "100x100ms", "3x10ms+metrics");
    private static final List<Long> FAILOVER_INTERVALS_MS = List.of(1000L, 100L, 10L);

    private FullBench() {
    }

    /** One line of the table. */
    private record Row(String metric, String keepalived, String omlha, String ratio, String target, String met) {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(".");
        int trials = 5;
        int seconds = 20;
        int stressSeconds = 60;
        int faultTrials = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home" -> home = Path.of(args[++i]);
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--stress-seconds" -> stressSeconds = Integer.parseInt(args[++i]);
                case "--fault-trials" -> faultTrials = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: bench/all [--trials 5] [--seconds 20] [--stress-seconds 60] [--fault-trials 1]");
                    System.exit(2);
                }
            }
        }
        home = home.toAbsolutePath().normalize();
        List<Row> rows = new ArrayList<>();
        long started = System.nanoTime();

        ResourceBench resources = new ResourceBench(home, seconds, Long.parseLong(org.omnileads.omlha.netns.NetnsLab.run("getconf", "CLK_TCK").trim()));
        List<Row> cpu = new ArrayList<>();
        List<Row> rss = new ArrayList<>();
        List<Row> firstAdvert = new ArrayList<>();
        for (String text : RESOURCE_CASES) {
            ResourceBench.Case c = ResourceBench.Case.parse(text);
            ResourceBench.Usage ka = resources.measure(ResourceBench.Impl.KEEPALIVED, c);
            ResourceBench.Usage ag = resources.measure(ResourceBench.Impl.OMLHA, c);
            String label = c.groups() + " groups @ " + interval(c.intervalMs()) + (c.metrics() ? ", /metrics scraped every 15 s" : "");
            boolean tenMs = c.groups() == 3 && c.intervalMs() == 10 && !c.metrics();
            cpu.add(new Row("CPU % of a core, " + label, BenchFormat.decimals(ka.cpuPercent(), 2) + unstable(ka), BenchFormat.decimals(ag.cpuPercent(), 2) + unstable(ag), BenchFormat.ratio(ag.cpuPercent(), ka.cpuPercent()),
                    tenMs ? "<= 5 and <= keepalived" : "", tenMs ? met(ag.cpuPercent() <= 5 && ag.cpuPercent() <= ka.cpuPercent() && ag.stable()) : ""));
            rss.add(new Row("RSS MB, " + label, BenchFormat.decimals(ka.rssMb(), 1), BenchFormat.decimals(ag.rssMb(), 1), BenchFormat.ratio(ag.rssMb(), ka.rssMb()), "<= 64",
                    met(ag.rssMb() <= 64)));
            if (c.groups() == 3 && !c.metrics()) {
                double mdi = masterDownMs(c.intervalMs(), 150);
                firstAdvert.add(new Row("start -> first advert ms, @ " + interval(c.intervalMs()) + " (MDI " + BenchFormat.decimals(mdi, 0) + ")",
                        BenchFormat.decimals(ka.firstAdvertMs(), 0), BenchFormat.decimals(ag.firstAdvertMs(), 0), BenchFormat.ratio(ag.firstAdvertMs(), ka.firstAdvertMs()),
                        "< 1000 + MDI", met(ag.firstAdvertMs() - mdi < 1000)));
            }
        }
        rows.addAll(cpu);
        rows.addAll(rss);
        rows.addAll(firstAdvert);

        FailoverBench failover = new FailoverBench(home, trials);
        List<Row> sigterm = new ArrayList<>();
        for (long intervalMs : FAILOVER_INTERVALS_MS) {
            double mdi = masterDownMs(intervalMs, 100);
            BenchStats kaCut = failover.measure(FailoverBench.Impl.KEEPALIVED, intervalMs, false);
            BenchStats agCut = failover.measure(FailoverBench.Impl.OMLHA, intervalMs, false);
            rows.add(new Row("power-off failover ms, @ " + interval(intervalMs) + " (MDI " + BenchFormat.decimals(mdi, 0) + ")", kaCut.toString(),
                    agCut.toString(), BenchFormat.ratio(agCut.median(), kaCut.median()), "max <= MDI + 10", met(agCut.max() <= mdi + 10)));
            BenchStats kaStop = failover.measure(FailoverBench.Impl.KEEPALIVED, intervalMs, true);
            BenchStats agStop = failover.measure(FailoverBench.Impl.OMLHA, intervalMs, true);
            double skew = (256 - 100) * intervalMs / 256.0;
            sigterm.add(new Row("SIGTERM failover ms, @ " + interval(intervalMs) + " (skew " + BenchFormat.decimals(skew, 0) + ")", kaStop.toString(),
                    agStop.toString(), BenchFormat.ratio(agStop.median(), kaStop.median()), "max <= MDI + 10", met(agStop.max() <= mdi + 10)));
        }
        rows.addAll(sigterm);

        ServiceFailureBench service = new ServiceFailureBench(home, trials);
        BenchStats kaService = new BenchStats(service.measure(ServiceFailureBench.Impl.KEEPALIVED).stream()
                .map(ServiceFailureBench.Trial::outageMs).toList());
        BenchStats agService = new BenchStats(service.measure(ServiceFailureBench.Impl.OMLHA).stream()
                .map(ServiceFailureBench.Trial::outageMs).toList());
        rows.add(new Row("HAProxy killed: client outage ms, @ 100 ms", kaService.toString(), agService.toString(),
                BenchFormat.ratio(agService.median(), kaService.median()), "", ""));

        List<JitterBench.Result> jitter = JitterBench.measure(home, stressSeconds, 3, 10);
        JitterBench.Result ka = jitter.get(0);
        JitterBench.Result ag = jitter.get(1);
        String stress = "stress " + stressSeconds + " s, 3 groups @ 10 ms: ";
        rows.add(new Row(stress + "jitter p50 ms", BenchFormat.decimals(ka.p50Ms(), 3), BenchFormat.decimals(ag.p50Ms(), 3), BenchFormat.ratio(ag.p50Ms(), ka.p50Ms()), "", ""));
        rows.add(new Row(stress + "jitter p99 ms", BenchFormat.decimals(ka.p99Ms(), 3), BenchFormat.decimals(ag.p99Ms(), 3), BenchFormat.ratio(ag.p99Ms(), ka.p99Ms()), "< 2", met(ag.p99Ms() < 2)));
        rows.add(new Row(stress + "jitter max ms", BenchFormat.decimals(ka.maxMs(), 3), BenchFormat.decimals(ag.maxMs(), 3), BenchFormat.ratio(ag.maxMs(), ka.maxMs()), "", ""));
        rows.add(new Row(stress + "adverts sent/expected", ka.captured() + "/" + ka.expected(), ag.captured() + "/" + ag.expected(),
                "", "", ""));
        rows.add(new Row(stress + "spurious transitions", String.valueOf(ka.spuriousTransitions()), String.valueOf(ag.spuriousTransitions()),
                "", "0", met(ag.spuriousTransitions() == 0)));

        // bench/faults: every case, both implementations, as a TCP and a SIP caller behind the VIP feel it.
        FaultsBench faults = new FaultsBench(home);
        List<FaultsBench.Result> faultResults = faults.measure(List.of(FaultsBench.Case.values()),
                List.of(FaultsBench.Impl.KEEPALIVED, FaultsBench.Impl.OMLHA), faultTrials);
        for (FaultsBench.Result agent : faultResults) {
            if (agent.impl() != FaultsBench.Impl.OMLHA) {
                continue;
            }
            FaultsBench.Result keepalived = faultResults.stream()
                    .filter(r -> r.impl() == FaultsBench.Impl.KEEPALIVED && r.caseLabel().equals(agent.caseLabel())).findFirst().orElse(null);
            boolean onHolders = agent.caseLabel().equals("kill-9") || agent.caseLabel().equals("flood") || agent.caseLabel().equals("stress");
            String met = agent.met() == null ? "" : met(agent.met());
            rows.add(new Row("fault " + agent.caseLabel() + ": failed TCP/SIP, gap TCP/SIP ms", FaultsBench.callers(keepalived),
                    FaultsBench.callers(agent), "", onHolders || agent.target().equals("-") ? "" : agent.target(), onHolders ? "" : met));
            rows.add(new Row("fault " + agent.caseLabel() + ": two holders ms, spurious", FaultsBench.holdersAndSpurious(keepalived),
                    FaultsBench.holdersAndSpurious(agent), "", onHolders ? agent.target() : "", onHolders ? met : ""));
        }

        System.out.printf("%nomlha-agent vs keepalived %s, same namespace lab, same run; %d CPUs, %s; %d trials per failover cell, "
                + "%d s resource windows; VRRPv3; %.0f min%n", keepalivedVersion(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"), trials, seconds,
                (System.nanoTime() - started) / 60e9);
        if (rows.stream().anyMatch(row -> (row.keepalived() + row.omlha()).contains("UNSTABLE"))) {
            System.out.println("UNSTABLE: that implementation's two-node cluster never settled (its backup kept taking groups over);"
                    + " its figures include the flapping (see stderr)");
        }
        String format = "| %-58s | %-15s | %-15s | %-6s | %-31s | %-4s |%n";
        System.out.printf(format, "metric (failover and outage: median / max)", "keepalived", "omlha-agent", "ratio", "target", "met");
        System.out.printf(format, "-".repeat(58), "-".repeat(15), "-".repeat(15), "-".repeat(6), "-".repeat(31), "-".repeat(4));
        for (Row row : rows) {
            System.out.printf(format, row.metric(), row.keepalived(), row.omlha(), row.ratio(), row.target(), row.met());
        }
    }

    /** A mark for a cell whose cluster never settled (its backup kept taking groups over): see stderr. */
    private static String unstable(ResourceBench.Usage usage) {
        return usage.stable() ? "" : " UNSTABLE";
    }

    /** Master_Down_Interval of a VRRPv3 backup of {@code priority}: 3 intervals and the skew. */
    private static double masterDownMs(long intervalMs, int priority) {
        return 3 * intervalMs + (256 - priority) * intervalMs / 256.0;
    }

    private static String interval(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    private static String met(boolean met) {
        return met ? "yes" : "NO";
    }

    /** keepalived's version ("v2.2.7"), for the table's title. */
    private static String keepalivedVersion() {
        try {
            String out = new String(new ProcessBuilder("keepalived", "--version").redirectErrorStream(true).start()
                    .getInputStream().readAllBytes());
            String first = out.lines().findFirst().orElse("");
            return first.startsWith("Keepalived v") ? first.substring("Keepalived ".length()).split(" ")[0] : "?";
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
