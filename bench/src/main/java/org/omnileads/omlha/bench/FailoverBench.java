package org.omnileads.omlha.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.labservices.LabKeepalived;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * Failover time of omlha-agent and keepalived, measured the same way in the same run: two nodes (master
 * priority 150, backup 100) on a namespace lab; the master is cut off (processes SIGKILLed, its switch port
 * down) or stopped gracefully (SIGTERM); the failover is the time from the port going down (or the master's
 * VIP leaving) to the VIP appearing on the backup, both read from the kernel's own timestamps
 * ({@code ip -ts monitor}), so polling granularity does not enter the figure.
 */
public final class FailoverBench {
    private static final String VIP = "192.0.2.100";
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private final Path home;
    private final int trials;

    FailoverBench(Path home, int trials) {
        this.home = home;
        this.trials = trials;
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(".");
        int trials = 5;
        List<String> intervals = List.of("1s", "100ms", "10ms");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home" -> home = Path.of(args[++i]);
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--intervals" -> intervals = List.of(args[++i].split(","));
                default -> {
                    System.err.println("usage: bench/run [--trials N] [--intervals 1s,100ms,10ms]");
                    System.exit(2);
                }
            }
        }
        FailoverBench bench = new FailoverBench(home.toAbsolutePath().normalize(), trials);
        List<String[]> rows = new ArrayList<>();
        for (String interval : intervals) {
            long intervalMs = parseMillis(interval);
            double mdi = 3 * intervalMs + (256 - 100) * intervalMs / 256.0;
            double skew = (256 - 100) * intervalMs / 256.0;
            BenchStats kaCut = bench.measure(Impl.KEEPALIVED, intervalMs, false);
            BenchStats agCut = bench.measure(Impl.OMLHA, intervalMs, false);
            BenchStats kaStop = bench.measure(Impl.KEEPALIVED, intervalMs, true);
            BenchStats agStop = bench.measure(Impl.OMLHA, intervalMs, true);
            rows.add(new String[] {interval, BenchStats.fmt(mdi), kaCut.toString(), agCut.toString(), ratio(agCut, kaCut),
                    BenchStats.fmt(agCut.max() - mdi), BenchStats.fmt(skew), kaStop.toString(), agStop.toString(), ratio(agStop, kaStop)});
            System.err.printf("done %s%n", interval);
        }
        System.out.printf("%nFailover, ms (median / max of %d trials), master priority 150, backup 100, VRRPv3, same lab, same run%n", trials);
        String format = "%-8s %9s | %-17s %-17s %7s %12s | %8s %-17s %-17s %7s%n";
        System.out.printf(format, "advert", "MDI", "power-off: kalvd", "omlha", "ratio", "omlha max-MDI", "skew", "SIGTERM: kalvd", "omlha", "ratio");
        for (String[] row : rows) {
            System.out.printf(format, (Object[]) row);
        }
    }

    enum Impl { KEEPALIVED, OMLHA }

    /** One (implementation, interval, kind) cell: {@code trials} fresh two-node clusters. */
    BenchStats measure(Impl impl, long intervalMs, boolean graceful) throws Exception {
        List<Double> values = new ArrayList<>();
        for (int trial = 0; trial < trials; trial++) {
            try (NetnsLab lab = NetnsLab.create()) {
                NetnsLab.Host n1 = lab.addHost("n1", "192.0.2.11/24", null);
                NetnsLab.Host n2 = lab.addHost("n2", "192.0.2.12/24", null);
                Node master = start(impl, lab, n1, 150, intervalMs);
                Node backup = start(impl, lab, n2, 100, intervalMs);
                await(() -> holds(lab, n1) && !holds(lab, n2) && backup.settledAsBackup(), "n1 master, n2 backup", master, backup);
                // Let the backup see a few adverts, then cut at a random phase of the advert cycle.
                Thread.sleep(4 * intervalMs + ThreadLocalRandom.current().nextLong(intervalMs + 1));
                Path linkLog = lab.workDir().resolve("mon-link.txt");
                Path addrLog1 = lab.workDir().resolve("mon-n1.txt");
                Path addrLog2 = lab.workDir().resolve("mon-n2.txt");
                Process monLink = monitor(lab.switchNamespace(), "link", linkLog);
                Process mon1 = monitor(n1.namespace(), "address", addrLog1);
                Process mon2 = monitor(n2.namespace(), "address", addrLog2);
                Thread.sleep(200);
                if (graceful) {
                    master.terminate();
                } else {
                    // Power cut: the cable goes first (nothing leaves n1 after this instant), then the processes.
                    lab.setCable(n1, false);
                    master.kill();
                }
                await(() -> holds(lab, n2), "n2 holds the VIP", master, backup);
                Thread.sleep(100);
                for (Process p : List.of(monLink, mon1, mon2)) {
                    p.destroy();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
                LocalDateTime up = firstStamp(addrLog2, "inet " + VIP + "/", false);
                LocalDateTime from = graceful ? firstStamp(addrLog1, "inet " + VIP + "/", true) : firstStamp(linkLog, n1.switchPort(), false);
                if (up == null || from == null) {
                    throw new IllegalStateException("monitor lines missing: " + Files.readString(linkLog) + Files.readString(addrLog1)
                            + Files.readString(addrLog2));
                }
                values.add(ChronoUnit.MICROS.between(from, up) / 1000.0);
                if (Boolean.getBoolean("bench.debug")) {
                    System.err.println(Files.readString(linkLog) + "--- n1\n" + Files.readString(addrLog1) + "--- n2\n" + Files.readString(addrLog2));
                }
            }
        }
        System.err.printf("%s %d ms %s: %s%n", impl, intervalMs, graceful ? "SIGTERM" : "power-off", values);
        return new BenchStats(values);
    }

    private interface Node {
        void kill() throws Exception;

        void terminate() throws Exception;

        boolean settledAsBackup();

        String log();
    }

    private Node start(Impl impl, NetnsLab lab, NetnsLab.Host host, int priority, long intervalMs) throws IOException {
        if (impl == Impl.OMLHA) {
            LabAgent agent = new LabAgent(lab, host, List.of(home.resolve("bin/omlha-agent").toString()),
                    "  groups { web { vrid = 51, priority = " + priority + ", vips = [\"" + VIP + "/24\"], version = 3, advert-interval = "
                            + intervalMs + "ms } }");
            agent.start();
            return new Node() {
                public void kill() throws Exception { agent.kill(); }
                public void terminate() throws Exception { agent.terminate(); }
                public boolean settledAsBackup() {
                    return agent.group("web").map(g -> g.state().equals("BACKUP") && g.master() != null).orElse(false);
                }
                public String log() { return agent.logText(); }
            };
        }
        LabKeepalived keepalived = new LabKeepalived(lab, host);
        keepalived.start(LabKeepalived.instance("web", 51, priority, 3, String.format(Locale.ROOT, "%.2f", intervalMs / 1000.0),
                VIP + "/24", ""));
        return new Node() {
            public void kill() throws Exception { keepalived.kill(); }
            public void terminate() throws Exception { keepalived.stop(); }
            public boolean settledAsBackup() { return keepalived.log().contains("Entering BACKUP STATE"); }
            public String log() { return keepalived.logTail(); }
        };
    }

    private static boolean holds(NetnsLab lab, NetnsLab.Host host) {
        return BenchLab.holds(lab, host, VIP);
    }

    private static void await(BooleanSupplier condition, String what, Node a, Node b) throws InterruptedException {
        BenchLab.await(condition, what, LIMIT, 2, a::log, b::log);
    }

    private static Process monitor(String namespace, String what, Path out) throws IOException {
        return new ProcessBuilder("ip", "-ts", "-n", namespace, "monitor", what).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
    }

    /** The timestamp of the first monitor line containing {@code needle} (a "Deleted" line if {@code deleted}). */
    private static LocalDateTime firstStamp(Path log, String needle, boolean deleted) throws IOException {
        LocalDateTime stamp = null;
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("[")) {
                stamp = LocalDateTime.parse(line.substring(1, line.indexOf(']')));
            }
            if (line.contains(needle) && stamp != null && line.contains("Deleted") == deleted) {
                return stamp;
            }
        }
        return null;
    }

    static long parseMillis(String text) {
        return text.endsWith("ms") ? Long.parseLong(text.substring(0, text.length() - 2))
                : Long.parseLong(text.substring(0, text.length() - 1)) * 1000;
    }

    private static String ratio(BenchStats agent, BenchStats keepalived) {
        return String.format(Locale.ROOT, "%.2f", agent.median() / keepalived.median());
    }
}
