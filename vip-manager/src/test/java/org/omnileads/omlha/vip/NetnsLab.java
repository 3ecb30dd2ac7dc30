package org.omnileads.omlha.vip;

import static org.omnileads.omlha.linux.Native.LIBC;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;

/**
 * Two fresh network namespaces, {@code omhvip<random>} (interface {@code vip0}) and its peer (interface
 * {@code peer0}), joined by a veth pair; removed by {@link #close()} and, should the JVM be stopped first, by a
 * shutdown hook.
 *
 * <p>Code under test runs in a namespace through {@link #inside}: a dedicated thread that entered the namespace
 * with setns(2) (which moves only the calling thread) opens the sockets. A socket stays in the namespace it was
 * created in, so the test thread can use it afterwards. This keeps the test in one JVM, unlike
 * {@code ip netns exec} with a child JVM.
 */
final class NetnsLab implements AutoCloseable {
    static final String IF = "vip0";
    static final String PEER_IF = "peer0";
    private static final long COMMAND_TIMEOUT_SECONDS = 20;

    final String ns;
    final String peer;
    private final ExecutorService nsThread;
    private final ExecutorService peerThread;
    private final Thread cleanupHook;
    private boolean closed;

    private NetnsLab(String ns, String peer) {
        this.ns = ns;
        this.peer = peer;
        this.nsThread = enteringThread(ns);
        this.peerThread = enteringThread(peer);
        this.cleanupHook = new Thread(this::deleteNamespaces, "netns-cleanup-" + ns);
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    /** Creates the namespaces and the veth pair: 192.0.2.1/24 and 2001:db8::1/64 on vip0, .2 and ::2 on peer0. */
    static NetnsLab create() {
        String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        NetnsLab lab = new NetnsLab("omhvip" + suffix, "omhvip" + suffix + "p");
        try {
            run("ip", "netns", "add", lab.ns);
            run("ip", "netns", "add", lab.peer);
            run("ip", "link", "add", IF, "netns", lab.ns, "type", "veth", "peer", "name", PEER_IF, "netns", lab.peer);
            lab.ns("link", "set", "lo", "up");
            lab.ns("addr", "add", "192.0.2.1/24", "dev", IF);
            lab.ns("addr", "add", "2001:db8::1/64", "dev", IF, "nodad");
            lab.peer("addr", "add", "192.0.2.2/24", "dev", PEER_IF);
            lab.peer("addr", "add", "2001:db8::2/64", "dev", PEER_IF, "nodad");
            lab.ns("link", "set", IF, "up");
            lab.peer("link", "set", PEER_IF, "up");
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    /** {@code ip -n NS ARGS...}: output, or an AssertionError with the command's output. */
    String ns(String... args) {
        return run(prepend("ip", "-n", ns, args));
    }

    /** {@code ip -n PEER ARGS...}. */
    String peer(String... args) {
        return run(prepend("ip", "-n", peer, args));
    }

    /** A sysctl in the peer namespace, e.g. {@code net.ipv4.conf.peer0.arp_accept=1}. */
    void peerSysctl(String setting) {
        run("ip", "netns", "exec", peer, "sysctl", "-q", "-w", setting);
    }

    /** Runs {@code task} on a thread inside the lab namespace (where it should open its sockets). */
    <T> T inside(Callable<T> task) {
        return call(nsThread, ns, task);
    }

    /** Runs {@code task} on a thread inside the peer namespace. */
    <T> T insidePeer(Callable<T> task) {
        return call(peerThread, peer, task);
    }

    boolean namespacesExist() {
        String list = run("ip", "netns", "list");
        return list.contains(ns + " ") || list.contains(ns + "\n") || list.contains(peer);
    }

    /** Polls {@code condition} every 50 ms for at most {@code seconds}; false when it never held. */
    static boolean waitFor(BooleanSupplier condition, double seconds) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    static String run(String... command) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            byte[] output;
            try (InputStream in = process.getInputStream()) {
                if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + ": no exit within " + COMMAND_TIMEOUT_SECONDS + " s");
                }
                output = in.readAllBytes();
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + process.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(String.join(" ", command) + ": interrupted", e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        nsThread.shutdownNow();
        peerThread.shutdownNow();
        deleteNamespaces();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run
        }
    }

    private void deleteNamespaces() {
        for (String name : List.of(ns, peer)) {
            try {
                run("ip", "netns", "delete", name);
            } catch (AssertionError absent) {
                // never created, or already deleted
            }
        }
    }

    private static ExecutorService enteringThread(String name) {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "netns-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** setns(2) into /run/netns/NAME: affects the calling thread only. */
    private static void enter(String name) {
        int fd = Native.check(LIBC.open("/run/netns/" + name, Linux.O_RDONLY | Linux.O_CLOEXEC), "open /run/netns/" + name);
        try {
            Native.check(LIBC.setns(fd, Linux.CLONE_NEWNET), "setns(" + name + ", CLONE_NEWNET)");
        } finally {
            LIBC.close(fd);
        }
    }

    /** The namespace the current thread entered, if any: a task never runs in the host's namespace by mistake. */
    private static final ThreadLocal<String> ENTERED = new ThreadLocal<>();

    private static <T> T call(ExecutorService thread, String name, Callable<T> task) {
        Callable<T> entering = () -> {
            if (!name.equals(ENTERED.get())) {
                enter(name);
                ENTERED.set(name);
            }
            return task.call();
        };
        try {
            return thread.submit(entering).get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new AssertionError("task inside the namespace failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("task inside the namespace did not finish in " + COMMAND_TIMEOUT_SECONDS + " s", e);
        }
    }

    private static String[] prepend(String a, String b, String c, String[] rest) {
        List<String> all = new ArrayList<>(List.of(a, b, c));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }
}
