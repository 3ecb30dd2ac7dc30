package org.omnileads.omlha.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.labservices.LabHaproxy;
import org.omnileads.omlha.labservices.LabKeepalived;
import org.omnileads.omlha.labservices.NamespaceHttpClient;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * Service failure, as a user behind the VIP sees it, for omlha-agent and keepalived in the same run: two nodes
 * (priority 150 and 100, VRRPv3, adverts every 100 ms) each run HAProxy and track it with weight 0 (FAULT while
 * it is down); a client GETs through the VIP every 10 ms; HAProxy on the master is SIGKILLed at a random phase
 * of the 1 s check interval while the node stays up. The outage is the longest time between two answers the
 * client received (the last from n1, the first from n2).
 *
 * <p>keepalived checks the way its users configure it for HAProxy: a {@code vrrp_script} every whole second
 * (interval 1, fall 1, rise 1) running curl against HAProxy's {@code /health}. {@code pidof haproxy}, the other
 * common check, would see the other node's HAProxy in this lab (one PID namespace) and never fail. omlha-agent
 * runs its http probe with the same interval; the probe keeps one connection open and re-checks the moment
 * HAProxy closes it.
 */
public final class ServiceFailureBench {
    private static final String VIP = "192.0.2.100";
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final Duration CLIENT_PERIOD = Duration.ofMillis(10);
    private static final Duration CLIENT_TIMEOUT = Duration.ofMillis(300);
    private static final String KEEPALIVED_CHECK = "/usr/bin/curl -fsS -m 1 -o /dev/null http://127.0.0.1:8080/health";

    private final Path home;
    private final int trials;

    ServiceFailureBench(Path home, int trials) {
        this.home = home;
        this.trials = trials;
    }

    enum Impl {
        KEEPALIVED("keepalived 2.2", "vrrp_script curl /health, interval 1 s, fall 1"),
        OMLHA("omlha-agent", "http probe /health, interval 1 s, fall 1, kept connection");

        final String label;
        final String check;

        Impl(String label, String check) {
            this.label = label;
            this.check = check;
        }
    }

    /** One trial: the client's outage and the time from the kill to the first answer from the backup. */
    record Trial(double outageMs, double killToBackupMs) {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(".");
        int trials = 7;
        List<Impl> impls = List.of(Impl.KEEPALIVED, Impl.OMLHA);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home" -> home = Path.of(args[++i]);
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--impls" -> impls = parseImpls(args[++i]);
                default -> {
                    System.err.println("usage: bench/service-failure [--trials N] [--impls keepalived,omlha]");
                    System.exit(2);
                }
            }
        }
        ServiceFailureBench bench = new ServiceFailureBench(home.toAbsolutePath().normalize(), trials);
        List<String[]> rows = new ArrayList<>();
        List<BenchStats> outages = new ArrayList<>();
        for (Impl impl : impls) {
            List<Trial> results = bench.measure(impl);
            BenchStats outage = new BenchStats(results.stream().map(Trial::outageMs).toList());
            BenchStats toBackup = new BenchStats(results.stream().map(Trial::killToBackupMs).toList());
            outages.add(outage);
            rows.add(new String[] {impl.label, impl.check, outage.toString(), toBackup.toString()});
        }
        System.out.printf("%nHAProxy SIGKILLed on the master (node up), client GET through the VIP every %d ms; ms, median / max of %d trials%n",
                CLIENT_PERIOD.toMillis(), trials);
        System.out.println("priority 150 / 100, VRRPv3, adverts every 100 ms, track weight 0 (FAULT), same lab, same run; the floor after the"
                + " master's priority-0 advert is the backup's skew time, (256 - 100) x 100 ms / 256 = 61 ms");
        String format = "%-15s %-58s | %-15s | %-15s%n";
        System.out.printf(format, "implementation", "check", "client outage", "kill -> n2 answers");
        for (String[] row : rows) {
            System.out.printf(format, (Object[]) row);
        }
        if (outages.size() == 2) {
            System.out.printf(Locale.ROOT, "ratio of the median outages, %s / %s: %.2f%n", impls.get(1).label, impls.get(0).label,
                    outages.get(1).median() / outages.get(0).median());
        }
    }

    private static List<Impl> parseImpls(String list) {
        List<Impl> out = new ArrayList<>();
        for (String name : list.split(",")) {
            out.add(switch (name.trim()) {
                case "keepalived" -> Impl.KEEPALIVED;
                case "omlha" -> Impl.OMLHA;
                default -> throw new IllegalArgumentException("unknown implementation " + name + " (keepalived, omlha)");
            });
        }
        return out;
    }

    List<Trial> measure(Impl impl) throws Exception {
        List<Trial> results = new ArrayList<>();
        for (int trial = 0; trial < trials; trial++) {
            results.add(trial(impl));
        }
        System.err.printf("%s: outages %s ms%n", impl.label, results.stream().map(t -> BenchStats.fmt(t.outageMs())).toList());
        return results;
    }

    private Trial trial(Impl impl) throws Exception {
        try (NetnsLab lab = NetnsLab.create()) {
            NetnsLab.Host n1 = lab.addHost("n1", "192.0.2.11/24", null);
            NetnsLab.Host n2 = lab.addHost("n2", "192.0.2.12/24", null);
            NetnsLab.Host client = lab.addHost("cl", "192.0.2.200/24", null);
            LabHaproxy haproxy1 = new LabHaproxy(lab, n1);
            LabHaproxy haproxy2 = new LabHaproxy(lab, n2);
            haproxy1.start();
            haproxy2.start();
            Node master = start(impl, lab, n1, 150);
            Node backup = start(impl, lab, n2, 100);
            await(() -> holds(lab, n1) && !holds(lab, n2) && master.checkUp() && backup.checkUp() && backup.settledAsBackup(),
                    "n1 master with HAProxy checked up, n2 backup", master, backup);
            InetSocketAddress vip = new InetSocketAddress(InetAddress.getByName(VIP), LabHaproxy.PORT);
            try (NamespaceHttpClient users = NamespaceHttpClient.start(client.namespace(), vip, "/", CLIENT_PERIOD, CLIENT_TIMEOUT,
                    Duration.ofMinutes(1))) {
                await(() -> users.lastSuccess().map(e -> e.body().equals("n1")).orElse(false), "the client gets answers from n1",
                        master, backup);
                // A random phase of the 1 s check interval: keepalived's detection depends on it.
                Thread.sleep(300 + ThreadLocalRandom.current().nextLong(1000));
                long killed = System.nanoTime();
                haproxy1.kill();
                await(() -> users.firstSuccessSentAfter(killed, "n2"::equals).isPresent(), "the client gets answers from n2",
                        master, backup);
                Thread.sleep(CLIENT_TIMEOUT.toMillis() + 50); // the requests still open in the gap end, so they are counted
                NamespaceHttpClient.Exchange first = users.firstSuccessSentAfter(killed, "n2"::equals).orElseThrow();
                NamespaceHttpClient.Outage outage = users.longestOutage(killed).orElseThrow();
                if (!outage.before().body().equals("n1") || !outage.after().body().equals("n2")) {
                    throw new IllegalStateException("the longest gap is not the failover: " + outage);
                }
                System.err.printf("%s: %s%n", impl.label, outage);
                return new Trial(outage.millis(), (first.endedNanos() - killed) / 1e6);
            }
        }
    }

    private interface Node {
        boolean checkUp();

        boolean settledAsBackup();

        String log();
    }

    private Node start(Impl impl, NetnsLab lab, NetnsLab.Host host, int priority) throws IOException {
        if (impl == Impl.OMLHA) {
            LabAgent agent = new LabAgent(lab, host, List.of(home.resolve("bin/omlha-agent").toString()), agentConfig(priority));
            agent.start();
            return new Node() {
                public boolean checkUp() {
                    return agent.status().map(s -> s.probes().stream().anyMatch(p -> p.name().equals("web") && p.up())).orElse(false);
                }

                public boolean settledAsBackup() {
                    return agent.group("web").map(g -> g.state().equals("BACKUP") && g.master() != null).orElse(false);
                }

                public String log() {
                    return agent.logText();
                }
            };
        }
        LabKeepalived keepalived = new LabKeepalived(lab, host);
        keepalived.start(keepalivedConfig(priority));
        return new Node() {
            public boolean checkUp() {
                return keepalived.log().contains("chk_haproxy) succeeded");
            }

            public boolean settledAsBackup() {
                return keepalived.log().contains("Entering BACKUP STATE");
            }

            public String log() {
                return keepalived.logTail();
            }
        };
    }

    static String agentConfig(int priority) {
        return "  probes { web { type = http, url = \"http://127.0.0.1:" + LabHaproxy.PORT + LabHaproxy.HEALTH_PATH
                + "\", interval = 1s, timeout = 500ms, rise = 1, fall = 1 } }\n"
                + "  groups { web { vrid = 51, priority = " + priority + ", vips = [\"" + VIP + "/24\"], version = 3, "
                + "advert-interval = 100ms, track = [{ probe = web, weight = 0 }] } }";
    }

    static String keepalivedConfig(int priority) {
        String instance = LabKeepalived.instance("web", 51, priority, 3, "0.1", VIP + "/24",
                "  track_script {\n    chk_haproxy weight 0\n  }\n");
        String script = "vrrp_script chk_haproxy {\n  script \"" + KEEPALIVED_CHECK + "\"\n  interval 1\n  timeout 1\n  fall 1\n  rise 1\n}\n";
        int at = instance.indexOf("vrrp_instance");
        return instance.substring(0, at) + script + instance.substring(at);
    }

    private static boolean holds(NetnsLab lab, NetnsLab.Host host) {
        return BenchLab.holds(lab, host, VIP);
    }

    private static void await(BooleanSupplier condition, String what, Node a, Node b) throws InterruptedException {
        BenchLab.await(condition, what, LIMIT, 5, a::log, b::log);
    }
}
