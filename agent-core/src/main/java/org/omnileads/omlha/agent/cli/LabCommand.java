package org.omnileads.omlha.agent.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.netns.NetnsLab;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The first thing a newcomer runs: a three-node cluster in network namespaces on this machine, an election,
 * a power cut on the master, the measured failover, the old master's return, and everything removed again.
 */
@Command(name = "lab", description = "Demonstrate failover on a namespace lab on this machine (needs root); removes it all afterwards.")
final class LabCommand implements Callable<Integer> {
    private static final String V4_VIP = "192.0.2.100";
    private static final String V6_VIP = "2001:db8::100";

    @Option(names = "--advert-interval", description = "VRRP advert interval (default: ${DEFAULT-VALUE})", defaultValue = "100ms")
    String interval;

    @Override
    public Integer call() throws Exception {
        List<String> problems = LabPrerequisites.problems("root".equals(System.getProperty("user.name")), LabPrerequisites::onPath);
        if (!problems.isEmpty()) {
            problems.forEach(problem -> System.err.println("omlha-agent lab: " + problem));
            System.err.println("omlha-agent lab: nothing was created");
            return 1;
        }
        Duration advert = parseInterval(interval);
        try (NetnsLab lab = NetnsLab.create()) {
            System.out.printf("lab %s: a switch and 4 hosts in network namespaces omh%s-*, files in %s%n", lab.tag(), lab.tag(), lab.workDir());
            int[] priorities = {150, 100, 50};
            List<LabAgent> agents = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                NetnsLab.Host host = lab.addHost("n" + (i + 1), "192.0.2." + (11 + i) + "/24", "2001:db8::" + (11 + i) + "/64");
                String groups = "  groups {\n"
                        + "    web   { vrid = 51, priority = " + priorities[i] + ", vips = [\"" + V4_VIP + "/24\"], advert-interval = " + advert.toMillis() + "ms }\n"
                        + "    web6  { vrid = 52, priority = " + priorities[i] + ", vips = [\"" + V6_VIP + "/64\"], advert-interval = " + advert.toMillis() + "ms }\n"
                        + "  }";
                agents.add(new LabAgent(lab, host, LabAgent.selfLauncher(), groups));
            }
            NetnsLab.Host client = lab.addHost("cl", "192.0.2.200/24", "2001:db8::200/64");
            System.out.printf("hosts: n1 192.0.2.11 (priority 150), n2 192.0.2.12 (100), n3 192.0.2.13 (50), client 192.0.2.200;"
                    + " VIPs %s and %s, adverts every %d ms%n%n", V4_VIP, V6_VIP, advert.toMillis());
            for (LabAgent agent : agents) {
                agent.start();
            }
            // The agents start one after another: whoever is up first may hold the VIP for a moment, until n1
            // (priority 150) preempts it. The demonstration starts once n1 holds it.
            LabAgent master = awaitSpecificMaster(agents.get(0), Duration.ofSeconds(30));
            if (master == null) {
                return fail(agents, "n1 did not become MASTER in 30 s");
            }
            System.out.println("elected:");
            printHolders(lab, agents);
            System.out.printf("client pings %s: %s%n%n", V4_VIP, ping(lab, client, V4_VIP));

            System.out.printf("power cut on %s (SIGKILL, cable pulled)...%n", master.host().name());
            long t0 = System.nanoTime();
            master.kill();
            lab.setCable(master.host(), false);
            List<LabAgent> survivors = agents.stream().filter(a -> a != master).toList();
            LabAgent next = awaitMaster(survivors, Duration.ofSeconds(20));
            long failoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            if (next == null) {
                return fail(agents, "no backup took over in 20 s");
            }
            double mdi = 3 * advert.toMillis() + (256 - 100) * advert.toMillis() / 256.0;
            System.out.printf("failover: %s holds the VIPs %d ms after the power cut (Master_Down_Interval for priority 100: %.0f ms)%n",
                    next.host().name(), failoverMs, mdi);
            printHolders(lab, survivors);
            System.out.printf("client pings %s: %s%n%n", V4_VIP, ping(lab, client, V4_VIP));

            System.out.printf("%s comes back (cable plugged, agent restarted): it preempts...%n", master.host().name());
            lab.setCable(master.host(), true);
            long t1 = System.nanoTime();
            master.start();
            LabAgent back = awaitSpecificMaster(master, Duration.ofSeconds(20));
            if (back == null) {
                return fail(agents, master.host().name() + " did not take the VIPs back in 20 s");
            }
            System.out.printf("%s holds the VIPs again %d ms after its restart (JVM start included)%n",
                    master.host().name(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1));
            printHolders(lab, agents);
            System.out.println();
            System.out.printf("status of %s, as `omlha-agent status --socket %s` prints it:%n", master.host().name(), master.socket());
            master.status().ifPresent(s -> System.out.print(org.omnileads.omlha.agent.status.StatusTable.format(s)));
            for (LabAgent agent : agents) {
                agent.terminate();
            }
            System.out.println("\nlab removed (namespaces, veths, bridge, processes).");
            return 0;
        }
    }

    static Duration parseInterval(String text) {
        String t = text.trim();
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
        }
        if (t.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1).trim()));
        }
        throw new IllegalArgumentException("--advert-interval: expected e.g. 100ms or 1s, got " + text);
    }

    private static int fail(List<LabAgent> agents, String why) {
        System.err.println("lab: " + why);
        for (LabAgent agent : agents) {
            System.err.println("---- " + agent.host().name() + " log:\n" + agent.logText());
        }
        return 1;
    }

    private static LabAgent awaitMaster(List<LabAgent> agents, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() - end < 0) {
            for (LabAgent agent : agents) {
                if (agent.isMasterWithVips("web")) {
                    return agent;
                }
            }
            Thread.sleep(2);
        }
        return null;
    }

    private static LabAgent awaitSpecificMaster(LabAgent agent, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() - end < 0) {
            if (agent.isMasterWithVips("web") && agent.isMasterWithVips("web6")) {
                return agent;
            }
            Thread.sleep(5);
        }
        return null;
    }

    private static void printHolders(NetnsLab lab, List<LabAgent> agents) throws Exception {
        for (LabAgent agent : agents) {
            String state = agent.group("web").map(g -> g.state() + " (priority " + g.effectivePriority() + ")").orElse("not answering");
            boolean v4 = lab.holds(agent.host(), V4_VIP);
            boolean v6 = lab.holds(agent.host(), V6_VIP);
            System.out.printf("  %-3s %-22s %s%n", agent.host().name(), state,
                    v4 || v6 ? "holds " + (v4 ? V4_VIP + " " : "") + (v6 ? V6_VIP : "") : "-");
        }
    }

    private static String ping(NetnsLab lab, NetnsLab.Host client, String address) throws Exception {
        return lab.execStatus(client, "ping", "-c", "1", "-W", "1", address) == 0 ? "answered" : "no answer";
    }
}
