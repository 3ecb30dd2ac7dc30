package org.omnileads.omlha.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.labservices.LabKeepalived;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * What one node costs, omlha-agent next to keepalived, in the same lab and the same run: CPU (% of one core) and RSS
 * of the master of a two-node cluster (priority 150 and 100, VRRPv3, N groups with one IPv4 VIP each), read from
 * {@code /proc/<pid>/stat} and {@code /proc/<pid>/status}; and the time from starting the master alone to its first
 * advert on the wire, as a capture on the backup's eth0 stamps it.
 */
public final class ResourceBench {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Duration SETTLE = Duration.ofSeconds(5);

    private final Path home;
    private final int seconds;
    private final long clockTicks;

    ResourceBench(Path home, int seconds, long clockTicks) {
        this.home = home;
        this.seconds = seconds;
        this.clockTicks = clockTicks;
    }

    /**
     * One row of the table: {@code groups} groups advertising every {@code intervalMs}; with {@code metrics} ("+metrics")
     * the agent also serves /metrics, scraped every 15 s during the window as Prometheus would.
     */
    record Case(String label, int groups, long intervalMs, boolean metrics) {
        static Case parse(String text) {
            boolean metrics = text.endsWith("+metrics");
            String spec = metrics ? text.substring(0, text.length() - "+metrics".length()) : text;
            int x = spec.indexOf('x');
            if (x <= 0) {
                throw new IllegalArgumentException("bad case " + text + ", expected e.g. 3x100ms or 3x10ms+metrics");
            }
            return new Case(text, Integer.parseInt(spec.substring(0, x)), FailoverBench.parseMillis(spec.substring(x + 1)), metrics);
        }
    }

    /** The master's cost: CPU in % of one core over the window, resident memory in MiB, start to first advert in ms. */
    record Usage(double cpuPercent, double rssMb, double firstAdvertMs, boolean stable) {
    }

    enum Impl { KEEPALIVED, OMLHA }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(".");
        int seconds = 20;
        List<String> cases = List.of("3x1s", "3x100ms", "3x10ms", "100x100ms");
        Impl only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home" -> home = Path.of(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--cases" -> cases = List.of(args[++i].split(","));
                case "--only" -> only = Impl.valueOf(args[++i].toUpperCase(Locale.ROOT));
                default -> {
                    System.err.println("usage: bench/resources [--cases 3x1s,3x100ms,3x10ms,100x100ms,3x10ms+metrics] [--seconds 20] [--only omlha|keepalived]");
                    System.exit(2);
                }
            }
        }
        long ticks = Long.parseLong(NetnsLab.run("getconf", "CLK_TCK").trim());
        ResourceBench bench = new ResourceBench(home.toAbsolutePath().normalize(), seconds, ticks);
        List<String[]> rows = new ArrayList<>();
        List<String[]> starts = new ArrayList<>();
        for (String text : cases) {
            Case c = Case.parse(text);
            Usage none = new Usage(Double.NaN, Double.NaN, Double.NaN, true);
            Usage ka = only == Impl.OMLHA ? none : bench.measure(Impl.KEEPALIVED, c);
            Usage ag = only == Impl.KEEPALIVED ? none : bench.measure(Impl.OMLHA, c);
            rows.add(new String[] {c.label(), BenchFormat.decimals(ka.cpuPercent(), 2) + (ka.stable() ? "" : "*"),
                    BenchFormat.decimals(ag.cpuPercent(), 2) + (ag.stable() ? "" : "*"), BenchFormat.ratio(ag.cpuPercent(), ka.cpuPercent()),
                    BenchFormat.decimals(ka.rssMb(), 1), BenchFormat.decimals(ag.rssMb(), 1), BenchFormat.ratio(ag.rssMb(), ka.rssMb())});
            starts.add(new String[] {c.label(), BenchFormat.decimals(ka.firstAdvertMs(), 0), BenchFormat.decimals(ag.firstAdvertMs(), 0),
                    BenchFormat.ratio(ag.firstAdvertMs(), ka.firstAdvertMs())});
        }
        System.out.printf("%nMaster node cost over %d s (after %d s settled), 2 nodes, VRRPv3, one IPv4 VIP per group, same lab, same run%n",
                seconds, SETTLE.toSeconds());
        String format = "%-10s | %13s %9s %6s | %13s %9s %6s%n";
        System.out.printf(format, "case", "kalvd CPU %", "omlha %", "ratio", "kalvd RSS MB", "omlha MB", "ratio");
        for (String[] row : rows) {
            System.out.printf(format, (Object[]) row);
        }
        System.out.printf("%nStart to first advert, ms (process start to first VRRP packet on the backup's eth0)%n");
        String startFormat = "%-10s | %10s %10s %6s%n";
        System.out.printf(startFormat, "case", "keepalived", "omlha", "ratio");
        for (String[] row : starts) {
            System.out.printf(startFormat, (Object[]) row);
        }
    }

    /** One (implementation, case) cell on a fresh two-node cluster. */
    Usage measure(Impl impl, Case c) throws Exception {
        try (NetnsLab lab = NetnsLab.create()) {
            NetnsLab.Host n1 = lab.addHost("n1", "192.0.2.11/24", null);
            NetnsLab.Host n2 = lab.addHost("n2", "192.0.2.12/24", null);

            // The master starts alone; the backup's eth0 sees its first advert.
            Process capture = BenchLab.startVrrpCapture(n2, lab.workDir().resolve("capture.txt"), lab.workDir().resolve("capture.err"),
                    LIMIT, "-c", "1");
            long startMillis = System.currentTimeMillis();
            Node master = start(impl, lab, n1, 150, c);
            if (!capture.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                capture.destroyForcibly();
                throw new IllegalStateException("no advert within " + LIMIT + "\n" + master.log());
            }
            double firstAdvertMs = firstStampMillis(lab.workDir().resolve("capture.txt")) - startMillis;

            Node backup = start(impl, lab, n2, 100, c);
            // A cluster that never settles (the backup keeps taking groups over) is itself a result: it is measured all
            // the same, and marked unstable.
            boolean stable = true;
            try {
                BenchLab.await(() -> BenchLab.vipsHeld(lab, n1, c.groups()) == c.groups() && BenchLab.vipsHeld(lab, n2, c.groups()) == 0,
                        "n1 holds all " + c.groups() + " VIPs", LIMIT, 20, master::log, backup::log);
            } catch (IllegalStateException unsettled) {
                System.err.println(impl + " " + c.label() + ": UNSTABLE, " + unsettled.getMessage());
                stable = false;
            }
            Thread.sleep(SETTLE.toMillis());

            List<ProcessHandle> processes = master.processes();
            long ticksBefore = ticks(processes);
            Map<String, Long> threadsBefore = threadTicks(processes);
            long before = System.nanoTime();
            if (c.metrics() && impl == Impl.OMLHA) {
                for (int second = 0; second < seconds; second++) {
                    if (second % 15 == 0) { // Prometheus' usual scrape interval
                        lab.exec(n1, "curl", "-fsS", "-m", "1", "-o", "/dev/null", "http://127.0.0.1:9273/metrics");
                    }
                    Thread.sleep(1000);
                }
            } else {
                Thread.sleep(seconds * 1000L);
            }
            long ticksAfter = ticks(processes);
            Map<String, Long> threadsAfter = threadTicks(processes);
            double elapsed = (System.nanoTime() - before) / 1e9;
            double rssMb = rssKb(processes) / 1024.0;
            if (!(BenchLab.vipsHeld(lab, n1, c.groups()) == c.groups() && BenchLab.vipsHeld(lab, n2, c.groups()) == 0)) {
                System.err.println(impl + " " + c.label() + ": UNSTABLE, the master lost VIPs during the window\n" + master.log() + "\n"
                        + backup.log());
                stable = false;
            }
            double cpu = 100.0 * (ticksAfter - ticksBefore) / clockTicks / elapsed;
            System.err.printf(Locale.ROOT, "%s %s: pids %s, cpu %.2f %%, rss %.1f MB, first advert %.0f ms%n", impl, c.label(),
                    processes.stream().map(p -> p.pid() + " " + p.info().command().map(cmd -> Path.of(cmd).getFileName().toString()).orElse("?")).toList(), cpu, rssMb, firstAdvertMs);
            StringBuilder busy = new StringBuilder();
            threadsAfter.forEach((thread, after) -> {
                long spent = after - threadsBefore.getOrDefault(thread, 0L);
                if (spent > 0) {
                    busy.append(String.format(Locale.ROOT, " %s=%.0f/s", thread, spent / elapsed));
                }
            });
            System.err.printf("%s %s: threads that used CPU:%s%n", impl, c.label(), busy);
            return new Usage(cpu, rssMb, firstAdvertMs, stable);
        }
    }

    private interface Node {
        /** The processes whose cost counts: keepalived's parent and its VRRP child; the agent's JVM. */
        List<ProcessHandle> processes();

        String log();
    }

    /** The VIP of group {@code group} (1-based). */
    static String vip(int group) {
        return "192.0.2." + (100 + group);
    }

    private Node start(Impl impl, NetnsLab lab, NetnsLab.Host host, int priority, Case c) throws IOException {
        if (impl == Impl.OMLHA) {
            // A later key wins in HOCON: this metrics.listen overrides the lab's "" (metrics off).
            LabAgent agent = new LabAgent(lab, host, List.of(home.resolve("bin/omlha-agent").toString()),
                    omlhaGroups(priority, c.groups(), c.intervalMs()) + (c.metrics() ? "\n  metrics.listen = \"127.0.0.1:9273\"" : ""));
            agent.start();
            return new Node() {
                // ip netns exec and the launcher both exec: the pid is the JVM's.
                public List<ProcessHandle> processes() { return List.of(agent.process().toHandle()); }
                public String log() { return agent.logText(); }
            };
        }
        LabKeepalived keepalived = new LabKeepalived(lab, host);
        keepalived.start(keepalivedConfig(priority, c.groups(), c.intervalMs()));
        return new Node() {
            public List<ProcessHandle> processes() {
                List<ProcessHandle> all = new ArrayList<>(List.of(keepalived.process().toHandle()));
                all.addAll(keepalived.process().descendants().toList());
                if (all.size() != 2) {
                    throw new IllegalStateException("expected keepalived's parent and VRRP child, found " + all.size() + " processes");
                }
                return all;
            }
            public String log() { return keepalived.logTail(); }
        };
    }

    /** The agent's {@code groups} block: groups g1..gN, VRID N, one IPv4 VIP each (192.0.2.101...), VRRPv3. */
    static String omlhaGroups(int priority, int groups, long intervalMs) {
        StringBuilder block = new StringBuilder("  groups {\n");
        for (int g = 1; g <= groups; g++) {
            block.append("    g").append(g).append(" { vrid = ").append(g).append(", priority = ").append(priority)
                    .append(", vips = [\"").append(vip(g)).append("/24\"], version = 3, advert-interval = ")
                    .append(intervalMs).append("ms }\n");
        }
        return block.append("  }").toString();
    }

    /** The same groups for keepalived: the global_defs of {@link LabKeepalived#instance}, one vrrp_instance per group. */
    static String keepalivedConfig(int priority, int groups, long intervalMs) {
        StringBuilder conf = new StringBuilder("global_defs {\n  vrrp_version 3\n  script_user root\n  enable_script_security\n"
                + "  vrrp_garp_master_delay 0\n}\n");
        String interval = String.format(Locale.ROOT, "%.2f", intervalMs / 1000.0);
        for (int g = 1; g <= groups; g++) {
            conf.append("vrrp_instance g").append(g).append(" {\n  state BACKUP\n  interface eth0\n  virtual_router_id ").append(g)
                    .append("\n  priority ").append(priority).append("\n  advert_int ").append(interval)
                    .append("\n  virtual_ipaddress {\n    ").append(vip(g)).append("/24 dev eth0\n  }\n}\n");
        }
        return conf.toString();
    }

    /** The epoch milliseconds of tcpdump's first line ({@code 1764090000.123456 IP ...}). */
    private static double firstStampMillis(Path capture) throws IOException {
        String line = Files.readAllLines(capture).stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("tcpdump printed nothing"));
        return Double.parseDouble(line.substring(0, line.indexOf(' '))) * 1000;
    }

    /** utime + stime of the processes, in clock ticks (proc(5): fields 14 and 15, counted after the command name). */
    private static long ticks(List<ProcessHandle> processes) throws IOException {
        long sum = 0;
        for (ProcessHandle p : processes) {
            String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state): utime is field 14, stime field 15.
            sum += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
        return sum;
    }

    /** Run time (µs) and times scheduled in, per thread ({@code tid:name}), to show where a process's CPU goes. */
    private static Map<String, Long> threadTicks(List<ProcessHandle> processes) {
        Map<String, Long> perThread = new TreeMap<>();
        for (ProcessHandle p : processes) {
            for (ThreadStats.ThreadStat thread : ThreadStats.of(p)) {
                perThread.put(thread.tid() + ":" + thread.name() + " run_us", thread.runNanos() / 1000);
                perThread.put(thread.tid() + ":" + thread.name() + " slices", thread.slices());
            }
        }
        return perThread;
    }

    private static long rssKb(List<ProcessHandle> processes) throws IOException {
        long sum = 0;
        for (ProcessHandle p : processes) {
            String line = Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no VmRSS for pid " + p.pid()));
            sum += Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return sum;
    }
}
