package org.omnileads.omlha.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.labservices.LabFrr;
import org.omnileads.omlha.labservices.LabKeepalived;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * A namespace lab with real omlha-agent processes (the built {@code bin/omlha-agent}) and, where a test asks,
 * real keepalived or FRR. Hosts are n1..nN at 192.0.2.11.. and 2001:db8::11..; a client at 192.0.2.200.
 * Closing it kills every process and deletes every namespace, whatever the test's outcome.
 */
final class Cluster implements AutoCloseable {
    static final String VIP4 = "192.0.2.100";
    static final String VIP6 = "2001:db8::100";

    final NetnsLab lab;
    final List<NetnsLab.Host> hosts = new ArrayList<>();
    final List<LabAgent> agents = new ArrayList<>();
    final List<LabKeepalived> keepaliveds = new ArrayList<>();
    final List<LabFrr> frrs = new ArrayList<>();
    NetnsLab.Host client;

    private Cluster(NetnsLab lab) {
        this.lab = lab;
    }

    static Cluster create(int hosts) throws IOException {
        NetnsLab lab = NetnsLab.create();
        Cluster cluster = new Cluster(lab);
        try {
            for (int i = 1; i <= hosts; i++) {
                cluster.hosts.add(lab.addHost("n" + i, "192.0.2." + (10 + i) + "/24", "2001:db8::" + (10 + i) + "/64"));
            }
            cluster.client = lab.addHost("cl", "192.0.2.200/24", "2001:db8::200/64");
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return cluster;
    }

    /** The repository's root (its bin/, and the test files of its modules). */
    static Path home() {
        return Path.of(System.getProperty("omlha.home", System.getProperty("user.dir") + "/../..")).normalize();
    }

    static List<String> launcher() {
        Path bin = home().resolve("bin/omlha-agent");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("no launcher at " + bin + " (set -Domlha.home)");
        }
        return List.of(bin.toString());
    }

    /** An agent on host {@code index} (1-based) with the given {@code groups { ... }} HOCON block, started. */
    LabAgent agent(int index, String groupsHocon) throws IOException {
        LabAgent agent = new LabAgent(lab, hosts.get(index - 1), launcher(), groupsHocon);
        agents.add(agent);
        agent.start();
        return agent;
    }

    /**
     * An agent on host {@code index} (1-based) running a complete configuration file's text (e.g. what
     * import-keepalived wrote) with the lab's control socket and state directory, started.
     */
    LabAgent agentWithCompleteConfig(int index, String hocon) throws IOException {
        LabAgent agent = new LabAgent(lab, hosts.get(index - 1), launcher(), "");
        agent.writeCompleteConfig(hocon);
        agents.add(agent);
        agent.start();
        return agent;
    }

    /** A keepalived on host {@code index} (1-based) with the given keepalived.conf, started. */
    LabKeepalived keepalived(int index, String config) throws IOException {
        LabKeepalived keepalived = new LabKeepalived(lab, hosts.get(index - 1));
        keepaliveds.add(keepalived);
        keepalived.start(config);
        return keepalived;
    }

    /** FRR's zebra and vrrpd on host {@code index} (1-based): one VRRPv3 IPv4 router, its macvlan holding {@code vipCidr}; started. */
    LabFrr frr(int index, int vrid, String vipCidr, String vrrpdConfig) throws IOException {
        LabFrr frr = new LabFrr(lab, hosts.get(index - 1));
        frrs.add(frr);
        frr.start(vrid, vipCidr, vrrpdConfig);
        return frr;
    }

    /** A group block with one IPv4 VIP. */
    static String group(String name, int vrid, int priority, String vip, String extra) {
        return "  groups {\n    " + name + " { vrid = " + vrid + ", priority = " + priority + ", vips = [\"" + vip + "\"]"
                + (extra.isEmpty() ? "" : ", " + extra) + " }\n  }";
    }

    /** Hosts that hold {@code address} on eth0 now. */
    List<NetnsLab.Host> holders(String address) {
        List<NetnsLab.Host> out = new ArrayList<>();
        for (NetnsLab.Host host : hosts) {
            try {
                if (lab.holds(host, address)) {
                    out.add(host);
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    boolean onlyHolderIs(NetnsLab.Host host, String address) {
        List<NetnsLab.Host> holders = holders(address);
        return holders.size() == 1 && holders.get(0).equals(host);
    }

    /** The client reaches {@code address} (ping, one echo, 1 s). */
    boolean clientPings(String address) {
        try {
            return lab.execStatus(client, "ping", "-c", "1", "-W", "1", address) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** GET /metrics from the client namespace (bash's /dev/tcp: no HTTP client package needed there). */
    String scrapeMetrics(String address) throws IOException {
        return lab.exec(client, "bash", "-c", "exec 3<>/dev/tcp/" + address + "/9273; printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3");
    }

    /** The MAC the client's neighbour table has for {@code address}, if any. */
    Optional<String> clientNeighbour(String address) {
        try {
            String line = lab.exec(client, "ip", "neigh", "show", address).trim();
            String[] words = line.split("\\s+");
            for (int i = 0; i < words.length - 1; i++) {
                if (words[i].equals("lladdr")) {
                    return Optional.of(words[i + 1]);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    String mac(NetnsLab.Host host) throws IOException {
        return lab.exec(host, "cat", "/sys/class/net/eth0/address").trim();
    }

    /** Everything a failed assertion should show: who holds what, and each agent's log tail. */
    String diagnostics() {
        StringBuilder out = new StringBuilder();
        for (NetnsLab.Host host : hosts) {
            try {
                out.append(lab.addresses(host));
            } catch (IOException e) {
                out.append(host.name()).append(": ").append(e.getMessage()).append('\n');
            }
        }
        for (LabAgent agent : agents) {
            String log = agent.logText();
            out.append("---- agent ").append(agent.host().name()).append(" (last lines)\n")
                    .append(log.lines().skip(Math.max(0, log.lines().count() - 40)).collect(Collectors.joining("\n"))).append('\n');
        }
        for (LabKeepalived k : keepaliveds) {
            out.append("---- keepalived ").append(k.host().name()).append('\n').append(k.logTail()).append('\n');
        }
        for (LabFrr f : frrs) {
            out.append("---- FRR ").append(f.host().name()).append(" (serving: ").append(f.serving()).append(")\n")
                    .append(f.logTail()).append('\n');
        }
        return out.toString();
    }

    @Override
    public void close() {
        try {
            frrs.forEach(LabFrr::close); // before the lab: a graceful stop lets FRR remove its folders in /var/tmp/frr
        } finally {
            lab.close();
        }
    }
}
