package org.omnileads.omlha.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;

/**
 * A small network on this machine: one namespace holding a bridge (the "switch") and one namespace per host,
 * each joined to the bridge by a veth pair whose host end is named {@code eth0}. Used by {@code omlha-agent lab},
 * the lab tests of vrrp and vip-manager, the end-to-end tests and the benchmarks.
 *
 * <p>Commands run as child processes ({@code ip}, {@code bridge}, {@code sysctl}), each bounded in time. Java code
 * that must open sockets inside a host runs through {@link #call}: a fresh thread enters the host's namespace with
 * setns(2) (which moves only the calling thread), so the test or the client stays in this JVM. A socket keeps the
 * namespace it was created in, whatever thread uses it afterwards.
 *
 * <p>Every name carries a random tag, so labs never collide; {@link #close()} kills what the lab started and
 * deletes every namespace it created (veths and the bridge go with them) and its folder in /tmp (unless
 * OMLHA_LAB_KEEP is set), whatever happened before. A JVM
 * shutdown hook does the same on Ctrl-C.
 */
public final class NetnsLab implements AutoCloseable {
    /** The name of every host's interface on the switch. */
    public static final String NIC = "eth0";
    private static final long COMMAND_TIMEOUT_SECONDS = 20;
    private static final long CALL_TIMEOUT_SECONDS = 30;
    private static final Pattern LINK_LOCAL = Pattern.compile("inet6 (fe80::[0-9a-f:]+)/64 scope link(.*)");

    private final String tag;
    private final String switchNs;
    private final Path workDir;
    private final List<Host> hosts = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Thread cleanupHook;
    private boolean closed;

    /** A host of the lab: its namespace, its eth0 and the switch-side end of its cable. */
    public record Host(String name, String namespace, String switchPort, String ipv4Cidr, String ipv6Cidr) {
        public String ipv4() {
            return ipv4Cidr.substring(0, ipv4Cidr.indexOf('/'));
        }
    }

    private NetnsLab(String tag, Path workDir) {
        this.tag = tag;
        this.switchNs = "omh" + tag + "-sw";
        this.workDir = workDir;
        this.cleanupHook = new Thread(() -> {
            System.err.println("lab " + tag + ": interrupted, removing its namespaces and processes");
            close();
        }, "netns-lab-cleanup");
    }

    /** Creates the switch; add hosts with {@link #addHost}. */
    public static NetnsLab create() throws IOException {
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        String tag = HexFormat.of().formatHex(random);
        Path dir = Files.createTempDirectory("omlha-lab-" + tag + "-");
        NetnsLab lab = new NetnsLab(tag, dir);
        Runtime.getRuntime().addShutdownHook(lab.cleanupHook);
        try {
            run("ip", "netns", "add", lab.switchNs);
            run("ip", "-n", lab.switchNs, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0", "forward_delay", "0");
            run("ip", "-n", lab.switchNs, "link", "set", "br0", "up");
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    public String tag() {
        return tag;
    }

    /** The namespace that holds the bridge. */
    public String switchNamespace() {
        return switchNs;
    }

    public Path workDir() {
        return workDir;
    }

    public List<Host> hosts() {
        return List.copyOf(hosts);
    }

    /**
     * Adds a host namespace with {@code eth0} cabled to the switch, the given addresses (ipv6Cidr may be null),
     * loopback up, and DAD off so that addresses are usable at once.
     */
    public Host addHost(String name, String ipv4Cidr, String ipv6Cidr) throws IOException {
        String ns = "omh" + tag + "-" + name;
        String switchEnd = "o" + tag + name + "s";
        if (switchEnd.length() > 15) {
            throw new IllegalArgumentException("host name too long for an interface name: " + name);
        }
        run("ip", "netns", "add", ns);
        Host host = new Host(name, ns, switchEnd, ipv4Cidr, ipv6Cidr);
        hosts.add(host);
        // Created directly inside the two namespaces: nothing is ever left in the machine's own namespace.
        run("ip", "-n", ns, "link", "add", NIC, "type", "veth", "peer", "name", switchEnd, "netns", switchNs);
        run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
                "net.ipv6.conf." + NIC + ".accept_dad=0", "net.ipv4.conf.all.arp_accept=1", "net.ipv4.conf." + NIC + ".arp_accept=1");
        run("ip", "-n", ns, "link", "set", "lo", "up");
        run("ip", "-n", ns, "addr", "add", ipv4Cidr, "dev", NIC);
        if (ipv6Cidr != null) {
            run("ip", "-n", ns, "addr", "add", ipv6Cidr, "dev", NIC, "nodad");
        }
        run("ip", "-n", ns, "link", "set", NIC, "up");
        run("ip", "-n", switchNs, "link", "set", switchEnd, "master", "br0");
        run("ip", "-n", switchNs, "link", "set", switchEnd, "up");
        return host;
    }

    /** Pulls (false) or plugs back (true) the host's cable at the switch. */
    public void setCable(Host host, boolean plugged) throws IOException {
        run("ip", "-n", switchNs, "link", "set", host.switchPort(), plugged ? "up" : "down");
    }

    /**
     * Isolates the host's switch port (or lifts it): isolated ports cannot reach one another, while the links stay
     * up. Isolating two hosts partitions them without either seeing a carrier loss.
     */
    public void setIsolated(Host host, boolean isolated) throws IOException {
        run("ip", "netns", "exec", switchNs, "bridge", "link", "set", "dev", host.switchPort(), "isolated", isolated ? "on" : "off");
    }

    /** Sets the host's own eth0 down or up (what the host's kernel, and so the agent, sees). */
    public void setNic(Host host, boolean up) throws IOException {
        run("ip", "-n", host.namespace(), "link", "set", NIC, up ? "up" : "down");
    }

    /** {@code ip -n HOST ARGS...}: the output; fails with it on a non-zero exit. */
    public String ip(Host host, String... args) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "-n", host.namespace()));
        full.addAll(List.of(args));
        return run(full.toArray(String[]::new));
    }

    /** {@code sysctl -w} of each setting (e.g. {@code net.ipv4.conf.eth0.arp_accept=0}) inside the host's namespace. */
    public void sysctl(Host host, String... settings) throws IOException {
        List<String> full = new ArrayList<>(List.of("sysctl", "-q", "-w"));
        full.addAll(List.of(settings));
        exec(host, full.toArray(String[]::new));
    }

    /**
     * Waits (10 s at most) until the host's eth0 has a link-local address that is not tentative, and returns it
     * (without prefix): the kernel makes it only once the link has a carrier.
     */
    public String linkLocal(Host host) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String seen;
        do {
            seen = ip(host, "-o", "-6", "addr", "show", "dev", NIC, "scope", "link");
            Matcher m = LINK_LOCAL.matcher(seen);
            if (m.find() && !m.group(2).contains("tentative")) {
                return m.group(1);
            }
            pause(50);
        } while (System.nanoTime() - deadline < 0);
        throw new IOException("no usable link-local address on " + NIC + " of " + host.name() + " within 10 s: " + seen.trim());
    }

    /** Starts {@code command} inside the host's namespace, output appended to {@code logFile}. */
    public Process start(Host host, List<String> command, Path logFile) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        synchronized (processes) {
            processes.add(process);
        }
        return process;
    }

    /** Runs a command inside the host's namespace and returns its output; fails on a non-zero exit. */
    public String exec(Host host, String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
        full.addAll(List.of(command));
        return run(full.toArray(String[]::new));
    }

    /** As {@link #exec} but returns the exit code, output discarded. */
    public int execStatus(Host host, String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
        full.addAll(List.of(command));
        Process process = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return waitFor(process, full);
    }

    /** The host's addresses on eth0, as {@code ip -br addr} prints them. */
    public String addresses(Host host) throws IOException {
        return run("ip", "-n", host.namespace(), "-br", "addr", "show", "dev", NIC);
    }

    /** True when {@code address} (without prefix) is on the host's eth0. */
    public boolean holds(Host host, String address) throws IOException {
        for (String word : addresses(host).split("\\s+")) {
            int slash = word.indexOf('/');
            if (slash > 0 && word.substring(0, slash).equals(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs {@code work} on a new thread that has entered the host's namespace, and returns its result (30 s at
     * most). What {@code work} throws is thrown as it is; sockets it opens stay in the host's namespace.
     */
    public <T> T call(Host host, Callable<T> work) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            enterNamespace(host.namespace());
            return work.call();
        });
        Thread thread = new Thread(task, "in-" + host.namespace());
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new TimeoutException("work inside " + host.namespace() + " did not finish in " + CALL_TIMEOUT_SECONDS + " s");
        }
    }

    /**
     * setns(2) into /run/netns/NAME: moves the calling thread only, and the threads it starts from then on. Code that
     * must open sockets inside a lab host (a client, a test server) runs on a thread that called this first.
     */
    public static void enterNamespace(String namespace) {
        String path = "/run/netns/" + namespace;
        int fd = Native.check(Native.LIBC.open(path, Linux.O_RDONLY | Linux.O_CLOEXEC), "open(" + path + ")");
        try {
            Native.check(Native.LIBC.setns(fd, Linux.CLONE_NEWNET), "setns(" + namespace + ", CLONE_NEWNET)");
        } finally {
            Native.LIBC.close(fd);
        }
    }

    /** The lab's namespaces (the switch's and the hosts') that still exist: none once {@link #close()} returned. */
    public List<String> remainingNamespaces() throws IOException {
        List<String> listed = new ArrayList<>();
        for (String line : run("ip", "netns", "list").split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (!words[0].isEmpty()) {
                listed.add(words[0]);
            }
        }
        List<String> ours = new ArrayList<>(List.of(switchNs));
        hosts.forEach(h -> ours.add(h.namespace()));
        ours.retainAll(listed);
        return ours;
    }

    /** Runs a host command (outside the namespaces) with a time limit; fails with its output on a non-zero exit. */
    public static String run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try {
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer in " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output.trim());
        }
        return output;
    }

    private static int waitFor(Process process, List<String> command) throws IOException {
        try {
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer in " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }

    /** Kills what the lab started and deletes its namespaces; safe to call twice and from the shutdown hook. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (processes) {
            for (Process process : processes) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            for (Process process : processes) {
                try {
                    process.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (Host host : hosts) {
            killAllIn(host.namespace());
            quietly("ip", "netns", "delete", host.namespace());
        }
        quietly("ip", "netns", "delete", switchNs);
        if (System.getenv("OMLHA_LAB_KEEP") == null) {
            deleteWorkDir(); // configs, logs, captures: OMLHA_LAB_KEEP=1 keeps them for a post-mortem
        }
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // we are the hook
        }
    }

    private void deleteWorkDir() {
        try (var paths = Files.walk(workDir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // a file still open by a dying process: the folder stays in /tmp, harmless
        }
    }

    private static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Processes left in a namespace (a daemon that forked, keepalived) would keep it alive: kill them. */
    private static void killAllIn(String namespace) {
        try {
            String pids = run("ip", "netns", "pids", namespace).trim();
            for (String pid : pids.split("\\s+")) {
                if (!pid.isEmpty()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the namespace is already gone
        }
    }

    private static void quietly(String... command) {
        try {
            run(command);
        } catch (IOException e) {
            // best effort during cleanup
        }
    }
}
