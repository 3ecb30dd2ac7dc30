package org.omnileads.omlha.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.agent.status.AgentStatus;
import org.omnileads.omlha.agent.status.GroupStatus;
import org.omnileads.omlha.labservices.LabKeepalived;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * How steady a master's adverts stay while every core is busy, keepalived next to omlha-agent, in the same lab and
 * the same run: a two-node cluster (n1 priority 150, n2 priority 100, VRRPv3, N groups with one IPv4 VIP each, the
 * groups of {@link ResourceBench}); {@code stress-ng --cpu <nproc>} runs on the machine (the namespaces share its
 * CPUs) at the default nice and policy, while tcpdump on n2's eth0 stamps every advert as the kernel receives it (the
 * veth adds microseconds, so these stamps stand for the send times). Jitter is |gap between two adverts of a group -
 * advert interval|; a spurious transition is any state change on either node during the stress.
 */
public final class JitterBench {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final String N1 = "192.0.2.11";
    private static final String N2 = "192.0.2.12";
    /** {@code 1764090000.123456 IP 192.0.2.11 > 224.0.0.18: VRRPv3, Advertisement, vrid 1, prio 150, intvl 1cs, length 12}. */
    private static final Pattern ADVERT = Pattern.compile(
            "^(\\d+)\\.(\\d{6}) IP (\\S+) > \\S+: VRRPv\\d, Advertisement, vrid (\\d+), prio (\\d+),");
    private static final Pattern KEEPALIVED_TRANSITION = Pattern.compile("Entering (MASTER|BACKUP|FAULT) STATE");

    private JitterBench() {
    }

    public enum Impl { KEEPALIVED, OMLHA }

    /**
     * One implementation's figures: adverts from n1 seen in the stress window against the count a perfect master
     * sends, jitter percentiles in ms, state changes of either node during the window, adverts sent by n2 (a backup
     * that took over) and adverts with priority 0 (a master that resigned), both over the whole capture.
     */
    public record Result(String implementation, int captured, int expected, double p50Ms, double p99Ms, double maxMs,
            int spuriousTransitions, int backupAdverts, int priorityZeroAdverts) {
    }

    /** A VRRP advert as tcpdump printed it: receive time in epoch microseconds, source, VRID, priority. */
    record Advert(long micros, String source, int vrid, int priority) {
        static Advert parse(String line) {
            Matcher m = ADVERT.matcher(line);
            if (!m.find()) {
                return null;
            }
            return new Advert(Long.parseLong(m.group(1)) * 1_000_000 + Long.parseLong(m.group(2)), m.group(3),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)));
        }
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(".");
        int seconds = 60;
        int groups = 3;
        long intervalMs = 10;
        Impl only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home" -> home = Path.of(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--groups" -> groups = Integer.parseInt(args[++i]);
                case "--interval-ms" -> intervalMs = Long.parseLong(args[++i]);
                case "--only" -> only = Impl.valueOf(args[++i].toUpperCase(Locale.ROOT));
                default -> {
                    System.err.println("usage: bench/jitter [--seconds 60] [--groups 3] [--interval-ms 10] [--only omlha|keepalived]");
                    System.exit(2);
                }
            }
        }
        home = home.toAbsolutePath().normalize();
        List<Result> results = new ArrayList<>();
        for (Impl impl : Impl.values()) {
            if (only == null || only == impl) {
                results.add(measure(impl, home, seconds, groups, intervalMs));
            }
        }
        print(results, seconds, groups, intervalMs);
    }

    /** keepalived, then omlha-agent, each on a fresh lab. */
    public static List<Result> measure(Path home, int seconds, int groups, long intervalMs) throws Exception {
        return List.of(measure(Impl.KEEPALIVED, home, seconds, groups, intervalMs), measure(Impl.OMLHA, home, seconds, groups, intervalMs));
    }

    /** The table of {@code results}, and omlha / keepalived for p99 and max when both are there. */
    public static void print(List<Result> results, int seconds, int groups, long intervalMs) {
        System.out.printf("%nAdvert timing under CPU stress (stress-ng --cpu %d, %d s), %d groups at %d ms, VRRPv3, "
                + "n1 master 150 / n2 backup 100, stamps on n2's eth0, same lab, same run%n",
                Runtime.getRuntime().availableProcessors(), seconds, groups, intervalMs);
        String format = "%-11s | %-19s | %-27s | %-20s | %-10s | %s%n";
        System.out.printf(format, "impl", "adverts capt/exp", "jitter p50 / p99 / max ms", "spurious transitions", "n2 adverts", "prio-0 adverts");
        for (Result r : results) {
            System.out.printf(format, r.implementation(), r.captured() + "/" + r.expected(),
                    BenchFormat.decimals(r.p50Ms(), 3) + " / " + BenchFormat.decimals(r.p99Ms(), 3) + " / " + BenchFormat.decimals(r.maxMs(), 3), r.spuriousTransitions(), r.backupAdverts(),
                    r.priorityZeroAdverts());
        }
        Result ka = results.stream().filter(r -> r.implementation().equals("keepalived")).findFirst().orElse(null);
        Result ag = results.stream().filter(r -> r.implementation().equals("omlha")).findFirst().orElse(null);
        if (ka != null && ag != null) {
            System.out.printf("ratio omlha / keepalived: p99 %s, max %s%n", BenchFormat.ratio(ag.p99Ms(), ka.p99Ms()), BenchFormat.ratio(ag.maxMs(), ka.maxMs()));
        }
    }

    /** One implementation on a fresh two-node lab. */
    public static Result measure(Impl impl, Path home, int seconds, int groups, long intervalMs) throws Exception {
        String name = impl.name().toLowerCase(Locale.ROOT);
        try (NetnsLab lab = NetnsLab.create()) {
            NetnsLab.Host n1 = lab.addHost("n1", N1 + "/24", null);
            NetnsLab.Host n2 = lab.addHost("n2", N2 + "/24", null);
            Node master = start(impl, home, lab, n1, 150, groups, intervalMs);
            Node backup = start(impl, home, lab, n2, 100, groups, intervalMs);
            BenchLab.await(() -> BenchLab.vipsHeld(lab, n1, groups) == groups && BenchLab.vipsHeld(lab, n2, groups) == 0, "n1 holds all " + groups + " VIPs",
                    LIMIT, 20, master::log, backup::log);
            Thread.sleep(SETTLE.toMillis());
            System.err.printf("%s: n1 scheduling: %s%n", name, scheduling(master.processes()));

            Path capturePath = lab.workDir().resolve("jitter-capture.txt");
            Path captureErr = lab.workDir().resolve("jitter-capture.err");
            Process capture = null;
            Process stress = null;
            long windowStartMicros;
            int transitions;
            try {
                capture = BenchLab.startVrrpCapture(n2, capturePath, captureErr, LIMIT, "-B", "8192");
                long masterMark = master.transitionMark();
                long backupMark = backup.transitionMark();
                int cpus = Runtime.getRuntime().availableProcessors();
                windowStartMicros = System.currentTimeMillis() * 1000;
                stress = new ProcessBuilder("stress-ng", "--cpu", Integer.toString(cpus), "--timeout", seconds + "s")
                        .redirectErrorStream(true).redirectOutput(lab.workDir().resolve("stress-ng.log").toFile()).start();
                if (!stress.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("stress-ng still running " + (seconds + 30) + " s after its start");
                }
                if (stress.exitValue() != 0) {
                    throw new IllegalStateException("stress-ng failed (exit " + stress.exitValue() + "): "
                            + Files.readString(lab.workDir().resolve("stress-ng.log")));
                }
                Thread.sleep(1000);
                stopCapture(capture);
                transitions = master.transitionsSince(masterMark) + backup.transitionsSince(backupMark);
            } finally {
                destroy(stress);
                destroy(capture);
            }
            System.err.printf("%s: tcpdump: %s%n", name, String.join("; ", Files.readAllLines(captureErr).stream()
                    .filter(l -> l.contains("packets")).toList()));
            if (!(BenchLab.vipsHeld(lab, n1, groups) == groups && BenchLab.vipsHeld(lab, n2, groups) == 0)) {
                System.err.printf("%s: after the window n1 holds %d, n2 %d of %d VIPs%n", name, BenchLab.vipsHeld(lab, n1, groups), BenchLab.vipsHeld(lab, n2, groups), groups);
            }
            Result result = analyse(name, Files.readAllLines(capturePath), windowStartMicros, seconds, groups, intervalMs, transitions);
            System.err.printf("%s: %s%n", name, result);
            if (transitions > 0) {
                System.err.printf("--- %s n1:%n%s%n--- %s n2:%n%s%n", name, master.log(), name, backup.log());
            }
            return result;
        }
    }

    /**
     * The figures of one capture: n1's adverts within [start, start + seconds), gaps between consecutive adverts of
     * the same VRID, jitter percentiles (nearest rank); n2's and priority-0 adverts over the whole capture.
     */
    static Result analyse(String name, List<String> lines, long windowStartMicros, int seconds, int groups, long intervalMs,
            int transitions) {
        long windowEndMicros = windowStartMicros + seconds * 1_000_000L;
        Map<Integer, Long> lastByVrid = new TreeMap<>();
        List<Double> jitterMs = new ArrayList<>();
        int captured = 0;
        int fromBackup = 0;
        int priorityZero = 0;
        int unparsed = 0;
        for (String line : lines) {
            Advert advert = Advert.parse(line);
            if (advert == null) {
                unparsed += line.isBlank() ? 0 : 1;
                continue;
            }
            if (advert.priority() == 0) {
                priorityZero++;
            }
            if (advert.source().equals(N2)) {
                fromBackup++;
            }
            if (!advert.source().equals(N1) || advert.priority() == 0
                    || advert.micros() < windowStartMicros || advert.micros() >= windowEndMicros) {
                continue;
            }
            captured++;
            Long last = lastByVrid.put(advert.vrid(), advert.micros());
            if (last != null) {
                jitterMs.add(Math.abs((advert.micros() - last) / 1000.0 - intervalMs));
            }
        }
        if (unparsed > 0) {
            System.err.printf("%s: %d capture lines were not VRRP adverts%n", name, unparsed);
        }
        Collections.sort(jitterMs);
        int expected = (int) (seconds * 1000L / intervalMs * groups);
        return new Result(name, captured, expected, percentile(jitterMs, 50), percentile(jitterMs, 99),
                jitterMs.isEmpty() ? Double.NaN : jitterMs.get(jitterMs.size() - 1), transitions, fromBackup, priorityZero);
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    /** A node under test: its processes, its log, and a count of its state changes from a mark on. */
    private interface Node {
        List<ProcessHandle> processes();

        String log();

        long transitionMark() throws Exception;

        int transitionsSince(long mark) throws Exception;
    }

    private static Node start(Impl impl, Path home, NetnsLab lab, NetnsLab.Host host, int priority, int groups, long intervalMs)
            throws IOException {
        if (impl == Impl.OMLHA) {
            LabAgent agent = new LabAgent(lab, host, List.of(home.resolve("bin/omlha-agent").toString()),
                    ResourceBench.omlhaGroups(priority, groups, intervalMs));
            agent.start();
            return new Node() {
                public List<ProcessHandle> processes() { return List.of(agent.process().toHandle()); }
                public String log() { return agent.logText(); }
                public long transitionMark() throws InterruptedException { return transitions(agent); }
                public int transitionsSince(long mark) throws InterruptedException { return (int) (transitions(agent) - mark); }
            };
        }
        LabKeepalived keepalived = new LabKeepalived(lab, host);
        keepalived.start(ResourceBench.keepalivedConfig(priority, groups, intervalMs));
        Path log = lab.workDir().resolve("keepalived-" + host.name()).resolve("keepalived.log");
        return new Node() {
            public List<ProcessHandle> processes() {
                List<ProcessHandle> all = new ArrayList<>(List.of(keepalived.process().toHandle()));
                all.addAll(keepalived.process().descendants().toList());
                return all;
            }
            public String log() { return keepalived.logTail(); }
            public long transitionMark() throws IOException { return Files.size(log); }
            public int transitionsSince(long mark) throws IOException {
                byte[] all = Files.readAllBytes(log);
                String after = new String(all, (int) mark, all.length - (int) mark, StandardCharsets.UTF_8);
                Matcher m = KEEPALIVED_TRANSITION.matcher(after);
                int count = 0;
                while (m.find()) {
                    count++;
                }
                return count;
            }
        };
    }

    /** All state changes the agent has made since it started, from its status (retried while it does not answer). */
    private static long transitions(LabAgent agent) throws InterruptedException {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() - end < 0) {
            AgentStatus status = agent.status().orElse(null);
            if (status != null) {
                long sum = 0;
                for (GroupStatus group : status.groups()) {
                    sum += group.transitionCounts().values().stream().mapToLong(Long::longValue).sum();
                }
                return sum;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the agent on " + agent.host().name() + " did not answer status within " + LIMIT + "\n" + agent.logText());
    }

    /** tcpdump on the host's eth0 for every VRRP packet, line-buffered; returns once it is capturing. */
    /** SIGTERM, so that tcpdump flushes and prints its packet counts; SIGKILL if it has not exited in 5 s. */
    private static void stopCapture(Process capture) throws InterruptedException {
        capture.destroy();
        if (!capture.waitFor(5, TimeUnit.SECONDS)) {
            destroy(capture);
        }
    }

    /** SIGKILL of a process and its descendants (stress-ng's workers), waiting a bounded time for the reap. */
    private static void destroy(Process process) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Each process's scheduling: threads not at SCHED_OTHER nice 0 listed by name, the others counted. */
    static String scheduling(List<ProcessHandle> processes) {
        String[] policies = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "4", "SCHED_IDLE", "SCHED_DEADLINE"};
        StringBuilder text = new StringBuilder();
        for (ProcessHandle p : processes) {
            int other = 0;
            StringBuilder special = new StringBuilder();
            for (ThreadStats.ThreadStat thread : ThreadStats.of(p)) {
                int policy = thread.policy();
                if (policy == 0 && thread.nice() == 0) {
                    other++;
                } else {
                    special.append(' ').append(thread.name()).append('=')
                            .append(policy < policies.length ? policies[policy] : Integer.toString(policy))
                            .append(policy == 1 || policy == 2 ? "/" + thread.rtPriority() : "")
                            .append(thread.nice() != 0 ? " nice " + thread.nice() : "");
                }
            }
            String command = p.info().command().map(c -> Path.of(c).getFileName().toString()).orElse("?");
            text.append("pid ").append(p.pid()).append(' ').append(command).append(':').append(special)
                    .append(" (").append(other).append(" threads SCHED_OTHER nice 0); ");
        }
        return text.toString();
    }
}
