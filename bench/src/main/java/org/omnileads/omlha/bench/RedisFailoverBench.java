package org.omnileads.omlha.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.labservices.AddressWatch;
import org.omnileads.omlha.labservices.CallerHttpClient;
import org.omnileads.omlha.labservices.LabCall;
import org.omnileads.omlha.labservices.LabRedis;
import org.omnileads.omlha.labservices.LabSentinel;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * Issue 14: how soon a VIP reaches the Redis master that Sentinel elected, measured from Sentinel's {@code +switch-master}
 * (target: median <= 100 ms, max <= 200 ms over at least 5 failovers), and what callers writing through the VIP see;
 * next to the usual alternative in the same lab, a Sentinel {@code client-reconfig-script} that runs {@code ip addr}.
 *
 * <p>The document's layout: four redis-server (n1..n4, 192.0.2.11..14; n1 the first master) and three redis-sentinel on
 * the replicas n2..n4 ({@link LabSentinel}: quorum 2, down-after-milliseconds 1000, failover-timeout 10000,
 * parallel-syncs 1). A client (192.0.2.200) writes through the VIP 192.0.2.71 as callers do: every 10 ms a new TCP
 * connection (connect timeout 3 s, reply timeout 1 s) sending {@code SET} then {@code QUIT}; a replica answers READONLY.
 * Failovers are planned ({@code SENTINEL FAILOVER}), one after the other.
 * <ul>
 * <li>{@code agent}: omlha-agent on n1..n4, the group follows {@code { probe = redis, role = master }}, redis probe
 * interval 1 s, timeout 500 ms, adverts every 100 ms (as RedisSentinelIT).</li>
 * <li>{@code script}: no agent; each Sentinel has {@code client-reconfig-script} running a script on its own host that
 * adds the VIP (and sends a gratuitous ARP) when its host is the new master and removes it when its host was the old
 * one; the operator put the VIP on n1 at the start. n1 runs no Sentinel, as in the document.</li>
 * </ul>
 * Measured per failover, on this machine's clocks: Sentinel's first {@code +switch-master} (the earliest in the three
 * Sentinels' logs, stamped to the millisecond, converted to {@link System#nanoTime()}); the VIP's arrival on the new
 * master ({@link AddressWatch}, {@code ip -ts monitor}); the time the old and the new master both held it; whether the
 * old master still held it 2 s later; the client's failed writes and longest time between taken writes, from the
 * failover request to 2 s after the VIP moved.
 */
public final class RedisFailoverBench {
    static final String VIP = "192.0.2.71";
    private static final String CLIENT_IP = "192.0.2.200";
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Duration SETTLE = Duration.ofSeconds(2);
    private static final Pattern SWITCH = Pattern.compile("^\\d+:X (\\d+ \\w+ \\d+ \\d\\d:\\d\\d:\\d\\d\\.\\d{3}) . \\+switch-master ");
    private static final DateTimeFormatter REDIS_STAMP = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm:ss.SSS", Locale.ENGLISH);

    /** One failover: times in ms (NaN when it did not happen). */
    record Failover(String mode, int round, String from, String to, double sentinelMs, double vipMs, double twoHoldersMs,
            boolean oldStillHolds, int writes, int failedWrites, double longestGapMs, String failures) {
        String line() {
            return String.format(Locale.ROOT, "%s failover %d: %s -> %s: FAILOVER -> +switch-master %.0f ms, +switch-master -> VIP %.1f ms,"
                    + " both held it %.1f ms, old master still holds it 2 s later: %s, writes %d, failed %d (%s), longest gap %.0f ms",
                    mode, round, from, to, sentinelMs, vipMs, twoHoldersMs, oldStillHolds ? "YES" : "no", writes, failedWrites,
                    failures, longestGapMs);
        }
    }

    private RedisFailoverBench() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(".");
        int failovers = 6;
        List<String> modes = List.of("agent", "script");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home" -> home = Path.of(args[++i]);
                case "--failovers" -> failovers = Integer.parseInt(args[++i]);
                case "--modes" -> modes = Arrays.asList(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (failovers < 1 || failovers > 50) {
            throw new IllegalArgumentException("--failovers must be 1..50");
        }
        List<Failover> all = new ArrayList<>();
        for (String mode : modes) {
            if (!mode.equals("agent") && !mode.equals("script")) {
                throw new IllegalArgumentException("unknown mode " + mode + " (agent, script)");
            }
            all.addAll(run(home, mode, failovers));
        }
        printTable(all, modes);
    }

    private static List<Failover> run(Path home, String mode, int failovers) throws Exception {
        List<Failover> results = new ArrayList<>();
        try (NetnsLab lab = NetnsLab.create()) {
            List<NetnsLab.Host> hosts = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                hosts.add(lab.addHost("n" + i, "192.0.2." + (10 + i) + "/24", null));
            }
            NetnsLab.Host client = lab.addHost("cl", CLIENT_IP + "/24", null);
            List<LabRedis> redis = new ArrayList<>();
            for (NetnsLab.Host host : hosts) {
                redis.add(new LabRedis(lab, host));
            }
            redis.get(0).startMaster();
            for (int i = 1; i < 4; i++) {
                redis.get(i).startReplicaOf(redis.get(0));
            }
            List<LabSentinel> sentinels = new ArrayList<>();
            for (int i = 1; i < 4; i++) {
                LabSentinel sentinel = new LabSentinel(lab, hosts.get(i));
                String extra = mode.equals("script") ? "sentinel client-reconfig-script " + LabSentinel.MASTER_NAME + " "
                        + reconfigScript(sentinel, hosts.get(i)) + "\n" : "";
                sentinel.start(redis.get(0), 2, extra);
                sentinels.add(sentinel);
            }
            List<LabAgent> agents = new ArrayList<>();
            if (mode.equals("agent")) {
                List<String> launcher = List.of(home.resolve("bin/omlha-agent").toAbsolutePath().normalize().toString());
                for (NetnsLab.Host host : hosts) {
                    LabAgent agent = new LabAgent(lab, host, launcher, agentConfig(host, sentinels));
                    agent.start();
                    agents.add(agent);
                }
            } else {
                lab.ip(hosts.get(0), "addr", "add", VIP + "/24", "dev", NetnsLab.NIC); // the operator's first step
            }
            BenchLab.await(() -> sentinels.stream().allMatch(s -> s.knownReplicas() == 3 && s.knownSentinels() == 2),
                    "every Sentinel knows the 3 replicas and the 2 other Sentinels", LIMIT, 100, () -> sentinels.get(0).logTail(), () -> "");
            BenchLab.await(() -> onlyHolder(lab, hosts, hosts.get(0)), "the VIP on n1 only", LIMIT, 20,
                    () -> agents.isEmpty() ? "" : agents.get(0).logText(), () -> "");

            List<AddressWatch> watches = new ArrayList<>();
            for (NetnsLab.Host host : hosts) {
                watches.add(AddressWatch.start(lab, host, VIP));
            }
            Instant wall = Instant.now();
            long offsetNanos = (wall.getEpochSecond() * 1_000_000_000L + wall.getNano()) - System.nanoTime();
            CallerHttpClient writer = CallerHttpClient.startRedisWrites(client.namespace(),
                    new InetSocketAddress(InetAddress.getByName(VIP), LabRedis.PORT), Duration.ofMillis(10), Duration.ofSeconds(3),
                    Duration.ofSeconds(1), Duration.ofMinutes(10));
            try {
                Thread.sleep(1000);
                for (int round = 1; round <= failovers; round++) {
                    Failover result = failover(mode, round, lab, hosts, sentinels, watches, writer, offsetNanos);
                    System.err.println(result.line());
                    results.add(result);
                }
            } finally {
                writer.close();
                for (AddressWatch watch : watches) {
                    watch.close();
                }
                for (LabAgent agent : agents) {
                    if (agent.isRunning()) {
                        agent.terminate();
                    }
                }
                for (LabSentinel sentinel : sentinels) {
                    sentinel.close();
                }
                for (LabRedis r : redis) {
                    r.close();
                }
            }
        }
        return results;
    }

    private static Failover failover(String mode, int round, NetnsLab lab, List<NetnsLab.Host> hosts, List<LabSentinel> sentinels,
            List<AddressWatch> watches, CallerHttpClient writer, long offsetNanos) throws Exception {
        String before = LabSentinel.electedMaster(sentinels);
        NetnsLab.Host from = hostOf(hosts, before);
        List<Long> logSizes = new ArrayList<>();
        for (LabSentinel s : sentinels) {
            logSizes.add(Files.size(s.log()));
        }
        long asked = System.nanoTime();
        BenchLab.await(() -> sentinels.get(0).failover().equals("OK"), "a Sentinel accepts SENTINEL FAILOVER", LIMIT, 200,
                () -> sentinels.get(0).logTail(), () -> "");
        BenchLab.await(() -> {
            String now = LabSentinel.electedMaster(sentinels);
            return !now.isEmpty() && !now.equals(before);
        },
                "the Sentinels elect another master than " + before, LIMIT, 20, () -> sentinels.get(0).logTail(), () -> "");
        NetnsLab.Host to = hostOf(hosts, LabSentinel.electedMaster(sentinels));
        AddressWatch toWatch = watches.get(hosts.indexOf(to));
        AddressWatch fromWatch = watches.get(hosts.indexOf(from));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (firstHeldFrom(toWatch, asked).isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        Thread.sleep(SETTLE.toMillis());
        long end = System.nanoTime();

        long switched = Long.MAX_VALUE;
        for (int i = 0; i < sentinels.size(); i++) {
            for (long at : switchMasterStamps(sentinels.get(i).log(), logSizes.get(i), from.ipv4(), to.ipv4(), offsetNanos)) {
                switched = Math.min(switched, at);
            }
        }
        OptionalLong arrived = firstHeldFrom(toWatch, asked);
        double sentinelMs = switched == Long.MAX_VALUE ? Double.NaN : (switched - asked) / 1e6;
        double vipMs = switched == Long.MAX_VALUE || arrived.isEmpty() ? Double.NaN : (arrived.getAsLong() - switched) / 1e6;
        double both = AddressWatch.overlapMillis(fromWatch, toWatch, asked, end);
        boolean oldHolds = lab.holds(from, VIP);

        List<LabCall> calls = writer.calls().stream().filter(c -> c.sentNanos() - asked >= 0 && end - c.sentNanos() > 0).toList();
        int failed = (int) calls.stream().filter(c -> !c.ok()).count();
        String failures = calls.stream().filter(c -> !c.ok()).map(LabCall::failure).distinct().limit(3)
                .map(f -> f.length() > 40 ? f.substring(0, 40) : f).reduce((a, b) -> a + "; " + b).orElse("none");
        double longestGap = 0;
        long lastOk = asked;
        for (LabCall call : calls.stream().filter(LabCall::ok).sorted((a, b) -> Long.compare(a.endedNanos(), b.endedNanos())).toList()) {
            longestGap = Math.max(longestGap, (call.endedNanos() - lastOk) / 1e6);
            lastOk = call.endedNanos();
        }
        longestGap = Math.max(longestGap, (end - lastOk) / 1e6);
        return new Failover(mode, round, from.name(), to.name(), sentinelMs, vipMs, both, oldHolds, calls.size(), failed,
                longestGap, failures);
    }

    /**
     * When Sentinel logged {@code +switch-master} from {@code fromIp} to {@code toIp} after {@code fromByte}, on nanoTime.
     * Only that switch: a Sentinel that learns of an earlier failover late (from the others' hello messages, every 2 s)
     * logs that one then.
     */
    static List<Long> switchMasterStamps(Path log, long fromByte, String fromIp, String toIp, long offsetNanos) throws IOException {
        byte[] bytes = Files.readAllBytes(log);
        String text = new String(bytes, (int) Math.min(fromByte, bytes.length), (int) Math.max(0, bytes.length - fromByte),
                java.nio.charset.StandardCharsets.UTF_8);
        List<Long> stamps = new ArrayList<>();
        for (String line : text.lines().toList()) {
            Matcher m = SWITCH.matcher(line);
            if (m.find() && line.endsWith(" " + fromIp + " " + LabRedis.PORT + " " + toIp + " " + LabRedis.PORT)) {
                Instant at = LocalDateTime.parse(m.group(1), REDIS_STAMP).atZone(ZoneId.systemDefault()).toInstant();
                stamps.add(at.getEpochSecond() * 1_000_000_000L + at.getNano() - offsetNanos);
            }
        }
        return stamps;
    }

    private static OptionalLong firstHeldFrom(AddressWatch watch, long after) throws IOException {
        return watch.periods().stream().mapToLong(AddressWatch.Held::from).filter(from -> from - after >= 0).min();
    }

    private static NetnsLab.Host hostOf(List<NetnsLab.Host> hosts, String address) {
        return hosts.stream().filter(h -> address.equals(h.ipv4() + ":" + LabRedis.PORT)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no host for " + address));
    }

    private static boolean onlyHolder(NetnsLab lab, List<NetnsLab.Host> hosts, NetnsLab.Host holder) {
        return hosts.stream().allMatch(h -> BenchLab.holds(lab, h, VIP) == h.equals(holder));
    }

    private static String agentConfig(NetnsLab.Host self, List<LabSentinel> sentinels) {
        String list = String.join(", ", sentinels.stream().map(s -> "\"" + s.address() + "\"").toList());
        return "  probes { redis { type = redis, uri = \"redis://" + self.ipv4() + ":" + LabRedis.PORT + "\", sentinel-master = \""
                + LabSentinel.MASTER_NAME + "\",\n    sentinels = [" + list + "], interval = 1s, timeout = 500ms } }\n"
                + "  groups { redis { vrid = 71, priority = 100, vips = [\"" + VIP + "/24\"], advert-interval = 100ms,"
                + " follow = { probe = redis, role = master } } }";
    }

    /**
     * The usual script: Sentinel calls it with {@code <master> <role> <state> <from-ip> <from-port> <to-ip> <to-port>}
     * on the Sentinel's own host; it can only change that host's addresses.
     */
    private static Path reconfigScript(LabSentinel sentinel, NetnsLab.Host host) throws IOException {
        Files.createDirectories(sentinel.dir());
        Path script = sentinel.dir().resolve("reconfig.sh");
        Files.writeString(script, String.join("\n",
                "#!/bin/sh",
                "# client-reconfig-script: <master-name> <role> <state> <from-ip> <from-port> <to-ip> <to-port>",
                "me=" + host.ipv4(),
                "if [ \"$6\" = \"$me\" ]; then",
                "  ip addr add " + VIP + "/24 dev eth0 2>/dev/null",
                "  arping -q -U -c 1 -I eth0 " + VIP + " >/dev/null 2>&1 &",
                "elif [ \"$4\" = \"$me\" ]; then",
                "  ip addr del " + VIP + "/24 dev eth0 2>/dev/null",
                "fi",
                "exit 0", ""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private static void printTable(List<Failover> all, List<String> modes) {
        System.out.println("| mode | failovers | +switch-master -> VIP median / max (ms) | FAILOVER -> +switch-master median (ms)"
                + " | old master still held the VIP 2 s later | both held it, max (ms) | writes failed / sent | longest write gap, max (ms) |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (String mode : modes) {
            List<Failover> rows = all.stream().filter(f -> f.mode().equals(mode)).toList();
            if (rows.isEmpty()) {
                continue;
            }
            List<Double> vip = rows.stream().map(Failover::vipMs).filter(v -> !v.isNaN()).sorted().toList();
            List<Double> sentinel = rows.stream().map(Failover::sentinelMs).filter(v -> !v.isNaN()).sorted().toList();
            long kept = rows.stream().filter(Failover::oldStillHolds).count();
            System.out.printf(Locale.ROOT, "| %s | %d | %s / %s (%d measured) | %s | %d of %d | %.0f | %d / %d | %.0f |%n", mode, rows.size(),
                    vip.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f", median(vip)),
                    vip.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f", vip.get(vip.size() - 1)), vip.size(),
                    sentinel.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f", median(sentinel)), kept, rows.size(),
                    rows.stream().mapToDouble(Failover::twoHoldersMs).max().orElse(0),
                    rows.stream().mapToInt(Failover::failedWrites).sum(), rows.stream().mapToInt(Failover::writes).sum(),
                    rows.stream().mapToDouble(Failover::longestGapMs).max().orElse(0));
        }
        System.out.println();
        System.out.println("Sentinel: quorum 2 of 3 (on n2..n4), down-after-milliseconds " + LabSentinel.DOWN_AFTER_MILLIS + ", failover-timeout "
                + LabSentinel.FAILOVER_TIMEOUT_MILLIS + ", parallel-syncs 1; failovers by SENTINEL FAILOVER. Agent: redis probe interval 1 s,"
                + " timeout 500 ms, adverts 100 ms. Writer: a new connection every 10 ms, SET + QUIT, connect timeout 3 s.");
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
