package org.omnileads.omlha.vrrp.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;

/**
 * Two network namespaces, {@code omhnet<random>a} and {@code ...b}, joined by a veth pair ({@code va} in a,
 * {@code vb} in b) with 192.0.2.1/24 (and secondary 192.0.2.11/24), 2001:db8::1/64 on a and 192.0.2.2/24,
 * 2001:db8::2/64 on b, plus kernel-made link-local addresses (DAD off, so they are usable at once).
 * Namespace a also holds {@code vdown}, a veth left down, with 198.51.100.1/24.
 *
 * <p>Socket code runs inside a namespace through {@link #inNamespace}: a fresh thread calls setns(2), which
 * moves only that thread, does the work and ends. Sockets keep the namespace they were created in, so
 * they can be used from any thread afterwards. Removed by {@link #close()} and, should the JVM die first,
 * by a shutdown hook.
 */
final class LabNetwork implements AutoCloseable {
    static final String A_IF = "va";
    static final String B_IF = "vb";
    static final String DOWN_IF = "vdown";

    final String nsA;
    final String nsB;
    private final Thread cleanup;

    private LabNetwork(String prefix) {
        nsA = prefix + "a";
        nsB = prefix + "b";
        cleanup = new Thread(this::removeNamespaces, "lab-cleanup-" + prefix);
    }

    static LabNetwork create() throws IOException, InterruptedException {
        String prefix = "omhnet" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        LabNetwork lab = new LabNetwork(prefix);
        Runtime.getRuntime().addShutdownHook(lab.cleanup);
        try {
            lab.build();
            return lab;
        } catch (IOException | InterruptedException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void build() throws IOException, InterruptedException {
        for (String ns : List.of(nsA, nsB)) {
            run("ip", "netns", "add", ns);
            run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
                    "net.ipv6.conf.default.accept_dad=0");
            run("ip", "-n", ns, "link", "set", "lo", "up");
        }
        run("ip", "-n", nsA, "link", "add", A_IF, "type", "veth", "peer", "name", B_IF, "netns", nsB);
        run("ip", "-n", nsA, "addr", "add", "192.0.2.1/24", "dev", A_IF);
        run("ip", "-n", nsA, "addr", "add", "192.0.2.11/24", "dev", A_IF);
        run("ip", "-n", nsA, "addr", "add", "2001:db8::1/64", "dev", A_IF, "nodad");
        run("ip", "-n", nsB, "addr", "add", "192.0.2.2/24", "dev", B_IF);
        run("ip", "-n", nsB, "addr", "add", "2001:db8::2/64", "dev", B_IF, "nodad");
        run("ip", "-n", nsA, "link", "set", A_IF, "up");
        run("ip", "-n", nsB, "link", "set", B_IF, "up");
        run("ip", "-n", nsA, "link", "add", DOWN_IF, "type", "veth", "peer", "name", "vdownpeer");
        run("ip", "-n", nsA, "addr", "add", "198.51.100.1/24", "dev", DOWN_IF);
        awaitLinkLocal(nsA, A_IF);
        awaitLinkLocal(nsB, B_IF);
    }

    /** Runs {@code work} on a new thread that has entered namespace {@code ns}. */
    <T> T inNamespace(String ns, Callable<T> work) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            enter(ns);
            return work.call();
        });
        Thread thread = new Thread(task, "in-" + ns);
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static void enter(String ns) {
        int fd = Native.check(Native.LIBC.open("/run/netns/" + ns, Linux.O_RDONLY | Linux.O_CLOEXEC),
                "open(/run/netns/" + ns + ")");
        try {
            Native.check(Native.LIBC.setns(fd, Linux.CLONE_NEWNET), "setns(" + ns + ")");
        } finally {
            Native.LIBC.close(fd);
        }
    }

    /** Runs a command in namespace {@code ns} and returns its output. */
    String exec(String ns, String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(command));
        return run(full.toArray(String[]::new));
    }

    private void awaitLinkLocal(String ns, String ifName) throws IOException, InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            String out = run("ip", "-n", ns, "-6", "addr", "show", "dev", ifName, "scope", "link");
            if (out.contains("fe80::") && !out.contains("tentative")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no usable link-local address on " + ifName + " in " + ns);
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + ": timed out");
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": exit " + process.exitValue() + ": " + out);
        }
        return out;
    }

    private void removeNamespaces() {
        for (String ns : List.of(nsA, nsB)) {
            try {
                Process process = new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start();
                process.getInputStream().readAllBytes();
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (IOException e) {
                System.err.println("could not remove namespace " + ns + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        removeNamespaces();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }
}
