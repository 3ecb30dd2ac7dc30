package org.omnileads.omlha.labservices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * A real FRR (Debian's package, 8.4) on a lab host: its {@code zebra} and {@code vrrpd}, in the foreground, with
 * their config files, pid files, zebra socket and vty sockets in the lab's folder, logging to files there. The
 * second VRRP implementation the agent is tested against, next to keepalived.
 *
 * <p>FRR's vrrpd does not create the interface that carries the virtual router (FRR's user guide, VRRP, "System
 * Configuration"): for VRRPv3 IPv4 VRID v on eth0 it is a macvlan on eth0 in bridge mode (so that the lower device
 * still sees the peers' adverts) with the virtual MAC 00:00:5e:00:01:v, named {@code vrrp4-2-v} here, holding the
 * VIP at all times; vrrpd (through zebra) sets it {@code protodown on} (no carrier: nothing sent, so nothing answered)
 * while Backup and {@code protodown off} while Master. {@link #start} makes that macvlan and sets, in the host's
 * namespace only: {@code arp_ignore=1} and {@code arp_announce=2} on eth0 and on the macvlan (otherwise eth0 answers
 * the client's ARP for the VIP with the node's own MAC while vrrpd is Backup, since the VIP is a local address of
 * the host: the lab saw both nodes answer), and {@code ignore_routes_with_linkdown=1} (the guide's troubleshooting
 * note: the macvlan's subnet route must not be used while it has no carrier).
 *
 * <p>The daemons run as root with group {@code frrvty} ({@code -u root -g frrvty}): FRR refuses to start when its
 * user is not in the vty group compiled in ("privs_init: user(root) is not part of vty group specified(frrvty)"),
 * and with {@code -g frrvty} it is, so nothing about the machine's users changes. {@code -P 0}: no vty TCP port.
 *
 * <p>FRR keeps a crash-log folder per process in {@code /var/tmp/frr/DAEMON.PID} (fixed, outside the lab's folder);
 * a clean exit removes it. {@link #close} stops vrrpd and zebra with SIGTERM (SIGKILL after 5 s), removes those
 * folders whatever happened, and {@code /var/tmp/frr} itself when it is empty. Close it before the lab: the lab's
 * own close kills the daemons with SIGKILL (and deletes the namespace with the macvlan, and the folder).
 */
public final class LabFrr implements AutoCloseable {
    public static final String ZEBRA = "/usr/lib/frr/zebra";
    public static final String VRRPD = "/usr/lib/frr/vrrpd";
    private static final Path CRASH_DIR = Path.of("/var/tmp/frr");
    private static final Duration READY_LIMIT = Duration.ofSeconds(10);
    /** vrrpd's state changes, logged at info level: "[VRID 51] [IPv4] Backup -> Master". */
    private static final Pattern TRANSITION = Pattern.compile("\\[VRID (\\d+)\\] \\[IPv4\\] (\\w+) -> (\\w+)");

    private final NetnsLab lab;
    private final NetnsLab.Host host;
    private final Path dir;
    private final Path zebraLog;
    private final Path vrrpdLog;
    private final Path zsocket;
    private final List<Process> processes = new ArrayList<>();
    private Process zebra;
    private Process vrrpd;
    private int vrid;

    public LabFrr(NetnsLab lab, NetnsLab.Host host) {
        this.lab = lab;
        this.host = host;
        this.dir = lab.workDir().resolve("frr-" + host.name());
        this.zebraLog = dir.resolve("zebra.log");
        this.vrrpdLog = dir.resolve("vrrpd.log");
        this.zsocket = dir.resolve("zserv.api");
    }

    public NetnsLab.Host host() {
        return host;
    }

    /** The macvlan vrrpd uses for IPv4 VRID {@code vrid} on eth0. */
    public static String macvlan(int vrid) {
        return "vrrp4-2-" + vrid;
    }

    /** The VRRP IPv4 virtual MAC of {@code vrid} (RFC 5798, 7.3). */
    public static String virtualMac(int vrid) {
        return String.format(Locale.ROOT, "00:00:5e:00:01:%02x", vrid);
    }

    /** vrrpd.conf for one VRRPv3 IPv4 virtual router on eth0; the interval in milliseconds (a multiple of 10). */
    public static String vrrpdConfig(int vrid, int priority, int intervalMillis, String vip) {
        return "hostname vrrpd\n"
                + "interface " + NetnsLab.NIC + "\n"
                + " vrrp " + vrid + " version 3\n"
                + " vrrp " + vrid + " priority " + priority + "\n"
                + " vrrp " + vrid + " advertisement-interval " + intervalMillis + "\n"
                + " vrrp " + vrid + " ip " + vip + "\n";
    }

    /**
     * Makes the macvlan of {@code vrid} holding {@code vipCidr} (e.g. 192.0.2.100/24), writes the configs, starts zebra
     * and then vrrpd, and returns once vrrpd's virtual router has started (Initialize -> Backup).
     */
    public void start(int vrid, String vipCidr, String vrrpdConfig) throws IOException {
        if (zebra != null) {
            throw new IllegalStateException("FRR already started on " + host.name());
        }
        this.vrid = vrid;
        Files.createDirectories(dir);
        String mv = macvlan(vrid);
        lab.ip(host, "link", "add", mv, "link", NetnsLab.NIC, "type", "macvlan", "mode", "bridge");
        lab.ip(host, "link", "set", "dev", mv, "addrgenmode", "random", "address", virtualMac(vrid));
        lab.sysctl(host, "net.ipv4.conf.all.ignore_routes_with_linkdown=1",
                "net.ipv4.conf." + NetnsLab.NIC + ".ignore_routes_with_linkdown=1", "net.ipv4.conf." + mv + ".ignore_routes_with_linkdown=1",
                "net.ipv4.conf." + NetnsLab.NIC + ".arp_ignore=1", "net.ipv4.conf." + NetnsLab.NIC + ".arp_announce=2",
                "net.ipv4.conf." + mv + ".arp_ignore=1", "net.ipv4.conf." + mv + ".arp_announce=2");
        lab.ip(host, "addr", "add", vipCidr, "dev", mv);
        lab.ip(host, "link", "set", "dev", mv, "up");

        Path zebraConf = dir.resolve("zebra.conf");
        Path vrrpdConf = dir.resolve("vrrpd.conf");
        Files.writeString(zebraConf, "hostname zebra\n");
        Files.writeString(vrrpdConf, vrrpdConfig);
        Files.deleteIfExists(zsocket);
        zebra = daemon(ZEBRA, zebraConf, "zebra", zebraLog);
        long end = System.nanoTime() + READY_LIMIT.toNanos();
        while (!Files.exists(zsocket)) {
            if (!zebra.isAlive()) {
                throw new IOException("zebra on " + host.name() + " exited (" + zebra.exitValue() + "): " + tail(zebraLog));
            }
            if (System.nanoTime() - end > 0) {
                throw new IOException("zebra on " + host.name() + " made no socket within " + READY_LIMIT.toSeconds() + " s: " + tail(zebraLog));
            }
            sleep(10);
        }
        vrrpd = daemon(VRRPD, vrrpdConf, "vrrpd", vrrpdLog);
        while (state().isEmpty()) {
            if (!vrrpd.isAlive()) {
                throw new IOException("vrrpd on " + host.name() + " exited (" + vrrpd.exitValue() + "): " + logTail());
            }
            if (System.nanoTime() - end > 0) {
                throw new IOException("vrrpd on " + host.name() + " did not start VRID " + vrid + " within " + READY_LIMIT.toSeconds()
                        + " s: " + logTail());
            }
            sleep(10);
        }
    }

    private Process daemon(String binary, Path config, String name, Path log) throws IOException {
        Process process = lab.start(host, List.of(binary, "-f", config.toString(), "-i", dir.resolve(name + ".pid").toString(),
                "-z", zsocket.toString(), "--vty_socket", dir.toString(), "-u", "root", "-g", "frrvty", "-P", "0",
                "--log", "stdout", "--log-level", "info"), log);
        processes.add(process);
        return process;
    }

    /** vrrpd's IPv4 state for the VRID, from its log's last transition: "Backup", "Master", "Initialize"; empty before any. */
    public Optional<String> state() {
        String last = null;
        for (String line : lines(vrrpdLog)) {
            Matcher m = TRANSITION.matcher(line);
            if (m.find() && Integer.parseInt(m.group(1)) == vrid) {
                last = m.group(3);
            }
        }
        return Optional.ofNullable(last);
    }

    /** Every IPv4 transition of the VRID vrrpd logged, in order, e.g. "Backup -> Master". */
    public List<String> transitions() {
        List<String> out = new ArrayList<>();
        for (String line : lines(vrrpdLog)) {
            Matcher m = TRANSITION.matcher(line);
            if (m.find() && Integer.parseInt(m.group(1)) == vrid) {
                out.add(m.group(2) + " -> " + m.group(3));
            }
        }
        return out;
    }

    /** True when the macvlan (which always holds the VIP) is out of protodown and has a carrier: FRR serves the VIP. */
    public boolean serving() {
        try {
            String link = lab.ip(host, "-o", "-d", "link", "show", "dev", macvlan(vrid));
            return link.contains("LOWER_UP") && !link.contains("NO-CARRIER") && !link.contains("protodown on");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * SIGTERM to vrrpd only (zebra stays): as Master it sends a priority-0 advert and asks zebra for protodown on its
     * way out; waits until it exited. FRR 8.4 loses that request at times (zebra logs no "Setting protodown on" before
     * "Client 'vrrp' encountered an error and is shutting down"): the macvlan then stays up, see {@link #serving}.
     */
    public void stopVrrpd() throws InterruptedException {
        terminate(vrrpd);
    }

    public boolean isRunning() {
        return vrrpd != null && vrrpd.isAlive() && zebra.isAlive();
    }

    public String logTail() {
        return "vrrpd:\n" + tail(vrrpdLog) + "\nzebra:\n" + tail(zebraLog);
    }

    /** Stops vrrpd, then zebra (SIGTERM, SIGKILL after 5 s), and removes FRR's crash-log folders of these processes. */
    @Override
    public void close() {
        List<Long> pids = processes.stream().map(Process::pid).toList();
        try {
            terminate(vrrpd);
            terminate(zebra);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            processes.forEach(Process::destroyForcibly);
        } finally {
            for (long pid : pids) {
                for (String name : List.of("zebra", "vrrpd")) {
                    deleteTree(CRASH_DIR.resolve(name + "." + pid));
                }
            }
            try {
                Files.deleteIfExists(CRASH_DIR); // only when empty: another FRR's folders stay
            } catch (IOException notEmptyOrGone) {
                // FRR of someone else, or nothing to do
            }
        }
    }

    private static void terminate(Process process) throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // best effort
        }
    }

    private static List<String> lines(Path log) {
        try {
            return Files.readAllLines(log);
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }

    private static String tail(Path log) {
        List<String> lines = lines(log).stream().filter(l -> !l.contains("Refusing to start Virtual Router")).toList();
        return lines.stream().skip(Math.max(0, lines.size() - 25)).collect(Collectors.joining("\n"));
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for FRR", e);
        }
    }
}
