package org.omnileads.omlha.probes;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code exec} probe, compatible with keepalived's check scripts: runs {@code argv} without a shell, stdin from
 * {@code /dev/null}, stdout and stderr captured together (the last {@value #TAIL_BYTES} bytes kept); exit status 0
 * is up, anything else down with the status and the last lines of output. A command still running at the timeout
 * is killed (SIGKILL, with the descendants it has at that moment) and reported {@code timed out after 500 ms, killed}.
 */
public final class ExecProbe implements Probe {
    static final int TAIL_BYTES = 4096;
    private static final int TAIL_LINES = 3;
    private static final int MAX_DETAIL = 300;
    /** After the command exits, how long its output may still take to drain (a background child may hold it). */
    private static final long DRAIN_MILLIS = 200;
    private static final File DEV_NULL = new File("/dev/null");

    private final String name;
    private final List<String> argv;
    private final Duration timeout;
    private final Executor killer;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public ExecProbe(String name, List<String> argv, Duration timeout) {
        this.name = Objects.requireNonNull(name, "name");
        this.argv = List.copyOf(argv);
        if (this.argv.isEmpty() || this.argv.get(0).isEmpty()) {
            throw new IllegalArgumentException("probe " + name + ": command must name a program");
        }
        this.timeout = Probes.positiveTimeout(name, timeout);
        this.killer = CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletableFuture<ProbeResult> check() {
        if (closed) {
            return Probes.closedProbe();
        }
        long start = System.nanoTime();
        CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        Process process;
        try {
            process = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException | RuntimeException e) {
            result.complete(ProbeResult.down(System.nanoTime() - start, cannotRun(e)));
            return result;
        }
        running.add(process);
        Tail tail = new Tail();
        CompletableFuture<Void> drained = new CompletableFuture<>();
        AtomicBoolean timedOut = new AtomicBoolean();
        Thread reader = new Thread(() -> tail.readAll(process.getInputStream(), drained), "probe-" + name + "-output");
        reader.setDaemon(true);
        reader.start();

        process.onExit().thenCompose(exited -> drained.completeOnTimeout(null, DRAIN_MILLIS, TimeUnit.MILLISECONDS))
                .thenRun(() -> {
                    running.remove(process);
                    if (timedOut.get()) {
                        return;
                    }
                    int status = process.exitValue();
                    long took = System.nanoTime() - start;
                    String output = tail.lastLines();
                    String detail = "exit " + status + (output.isEmpty() ? "" : ": " + output);
                    result.complete(status == 0 ? ProbeResult.up(took, bounded(detail)) : ProbeResult.down(took, bounded(detail)));
                });
        killer.execute(() -> {
            if (process.isAlive()) {
                timedOut.set(true);
                kill(process);
                String output = tail.lastLines();
                result.complete(ProbeResult.down(System.nanoTime() - start, bounded("timed out after "
                        + timeout.toMillis() + " ms, killed" + (output.isEmpty() ? "" : ": " + output))));
            }
        });
        result.whenComplete((r, e) -> {
            if (result.isCancelled() && process.isAlive()) {
                kill(process);
            }
        });
        return result;
    }

    /** Kills running commands. */
    @Override
    public void close() {
        closed = true;
        new ArrayList<>(running).forEach(ExecProbe::kill);
    }

    private static void kill(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    private String cannotRun(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int errorAt = message.indexOf("error=");
        if (errorAt >= 0) {
            int comma = message.indexOf(", ", errorAt);
            message = comma >= 0 ? message.substring(comma + 2) : message.substring(errorAt);
        }
        return "cannot run " + argv.get(0) + ": " + message;
    }

    private static String bounded(String detail) {
        return detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL - 3) + "...";
    }

    /** The last {@value #TAIL_BYTES} bytes a command wrote. */
    static final class Tail {
        private final byte[] ring = new byte[TAIL_BYTES];
        private long total;

        void readAll(InputStream in, CompletableFuture<Void> done) {
            byte[] buffer = new byte[1024];
            try (in) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    append(buffer, n);
                }
            } catch (IOException e) {
                // the stream closed under us: keep what we have
            } finally {
                done.complete(null);
            }
        }

        synchronized void append(byte[] bytes, int length) {
            for (int i = 0; i < length; i++) {
                ring[(int) (total++ % TAIL_BYTES)] = bytes[i];
            }
        }

        /** The last few non-blank lines, trimmed, joined with " | ". */
        synchronized String lastLines() {
            int size = (int) Math.min(total, TAIL_BYTES);
            byte[] ordered = new byte[size];
            for (int i = 0; i < size; i++) {
                ordered[i] = ring[(int) ((total - size + i) % TAIL_BYTES)];
            }
            String[] lines = new String(ordered, StandardCharsets.UTF_8).split("\\R");
            List<String> last = new ArrayList<>();
            for (int i = lines.length - 1; i >= 0 && last.size() < TAIL_LINES; i--) {
                String line = lines[i].strip();
                if (!line.isEmpty()) {
                    last.add(0, line);
                }
            }
            return String.join(" | ", last);
        }
    }
}
