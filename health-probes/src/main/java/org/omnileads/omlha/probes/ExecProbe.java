package org.omnileads.omlha.probes;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The {@code exec} probe, compatible with keepalived's check scripts: runs {@code argv} without a shell, stdin from
 * {@code /dev/null}, stdout and stderr captured together (the last {@value #TAIL_BYTES} bytes kept); exit status 0
 * is up, anything else down with the status and the last lines of output. A command still running at the timeout
 * is killed (SIGKILL, with the descendants it has at that moment) and reported {@code timed out after 500 ms, killed}.
 */
public final class ExecProbe extends AbstractProbe {
    static final int TAIL_BYTES = 4096;
    private static final int TAIL_LINES = 3;
    private static final int MAX_DETAIL = 300;
    /** After the command exits, how long its output may still take to drain (a background child may hold it). */
    private static final long DRAIN_MILLIS = 200;
    private static final File DEV_NULL = new File("/dev/null");

    private final List<String> argv;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();

    public ExecProbe(String name, List<String> argv, Duration timeout) {
        super(name, timeout);
        this.argv = List.copyOf(argv);
        if (this.argv.isEmpty() || this.argv.get(0).isEmpty()) {
            throw new IllegalArgumentException("probe " + name + ": command must name a program");
        }
    }

    @Override
    void begin(Check check) {
        Process process;
        try {
            process = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException | RuntimeException e) {
            check.down(cannotRun(e));
            return;
        }
        running.add(process);
        Tail tail = new Tail();
        CompletableFuture<Void> drained = new CompletableFuture<>();
        Thread reader = new Thread(() -> tail.readAll(process.getInputStream(), drained), "probe-" + name + "-output");
        reader.setDaemon(true);
        reader.start();

        process.onExit().thenCompose(exited -> drained.completeOnTimeout(null, DRAIN_MILLIS, TimeUnit.MILLISECONDS))
                .thenRun(() -> {
                    running.remove(process);
                    String output = tail.lastLines();
                    String detail = bounded("exit " + process.exitValue() + (output.isEmpty() ? "" : ": " + output));
                    check.answer(process.exitValue() == 0, detail, null);
                });
        check.onTimeout(() -> {
            if (process.isAlive()) {
                String output = tail.lastLines();
                // Answered before the kill, so the exit that the kill causes is not what the check reports.
                check.down(bounded(check.timedOut() + ", killed" + (output.isEmpty() ? "" : ": " + output)));
                kill(process);
            }
        });
        check.onCancel(() -> {
            if (process.isAlive()) {
                kill(process);
            }
        });
    }

    /** Kills running commands. */
    @Override
    void release() {
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
