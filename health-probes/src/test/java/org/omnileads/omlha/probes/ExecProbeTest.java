package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    static ProbeResult await(Probe probe) throws Exception {
        return probe.check().get(20, TimeUnit.SECONDS);
    }

    private static ProbeResult run(Duration timeout, String... argv) throws Exception {
        try (ExecProbe probe = new ExecProbe("script", List.of(argv), timeout)) {
            return await(probe);
        }
    }

    @Test
    void exitZeroIsUp() throws Exception {
        ProbeResult result = run(TIMEOUT, "/bin/true");
        assertTrue(result.up());
        assertEquals("exit 0", result.detail());
    }

    @Test
    void nonZeroExitIsDownWithTheStatus() throws Exception {
        ProbeResult result = run(TIMEOUT, "/bin/false");
        assertFalse(result.up());
        assertEquals("exit 1", result.detail());
    }

    @Test
    void theLastLinesOfOutputExplainAFailure() throws Exception {
        ProbeResult result = run(TIMEOUT, "/bin/sh", "-c", "echo one; echo two; echo three >&2; echo; echo four; exit 3");
        assertFalse(result.up());
        assertEquals("exit 3: two | three | four", result.detail());
    }

    @Test
    void argumentsAreNotInterpretedByAShell() throws Exception {
        ProbeResult result = run(TIMEOUT, "/bin/echo", "$HOME", "*", ";", "exit", "1");
        assertTrue(result.up());
        assertEquals("exit 0: $HOME * ; exit 1", result.detail());
    }

    @Test
    void stdinIsClosed() throws Exception {
        ProbeResult result = run(TIMEOUT, "/bin/cat");
        assertTrue(result.up(), "cat reads end of file at once: " + result.detail());
    }

    @Test
    void aCommandPastItsTimeoutIsKilled() throws Exception {
        ExecProbe probe = new ExecProbe("slow", List.of("sleep", "5"), Duration.ofMillis(200));
        ProbeResult result = await(probe);
        assertFalse(result.up());
        assertEquals("timed out after 200 ms, killed", result.detail());
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            child.onExit().get(4, TimeUnit.SECONDS); // well before "sleep 5" would end by itself
        }
    }

    @Test
    void descendantsAreKilledToo(@TempDir Path dir) throws Exception {
        Path pids = dir.resolve("pids");
        ProbeResult result = run(Duration.ofMillis(500), "/bin/sh", "-c",
                "sleep 30 & echo $! > " + pids + "; sleep 30");
        assertEquals("timed out after 500 ms, killed", result.detail());
        long grandchild = Long.parseLong(Files.readString(pids).trim());
        CompletableFuture<ProcessHandle> exited = ProcessHandle.of(grandchild)
                .map(ProcessHandle::onExit)
                .orElse(CompletableFuture.completedFuture(null));
        exited.get(20, TimeUnit.SECONDS);
        assertFalse(ProcessHandle.of(grandchild).map(ExecProbeTest::running).orElse(false), "background child killed");
    }

    /** Alive and not a zombie (a zombie is dead; whether someone reaps it is not ours to test). */
    private static boolean running(ProcessHandle process) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void aMissingProgramIsDownWithTheReason() throws Exception {
        ProbeResult result = run(TIMEOUT, "/nonexistent/check-thing");
        assertFalse(result.up());
        assertEquals("cannot run /nonexistent/check-thing: No such file or directory", result.detail());
    }

    @Test
    void closeKillsARunningCommand() throws Exception {
        ExecProbe probe = new ExecProbe("slow", List.of("sleep", "30"), TIMEOUT);
        CompletableFuture<ProbeResult> check = probe.check();
        probe.close();
        ProbeResult result = check.get(20, TimeUnit.SECONDS);
        assertFalse(result.up());
        assertEquals("exit 137", result.detail(), "SIGKILL");
        assertEquals("probe closed", await(probe).detail());
    }

    @Test
    void theTailKeepsTheLastBytesOnly() {
        ExecProbe.Tail tail = new ExecProbe.Tail();
        byte[] line = "noise noise noise noise noise\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 1000; i++) {
            tail.append(line, line.length);
        }
        byte[] last = "error: disk full\n".getBytes(StandardCharsets.US_ASCII);
        tail.append(last, last.length);
        assertEquals("noise noise noise noise noise | noise noise noise noise noise | error: disk full", tail.lastLines());

        CompletableFuture<Void> done = new CompletableFuture<>();
        ExecProbe.Tail fromStream = new ExecProbe.Tail();
        fromStream.readAll(new ByteArrayInputStream("a\r\nb\n".getBytes(StandardCharsets.US_ASCII)), done);
        assertTrue(done.isDone());
        assertEquals("a | b", fromStream.lastLines());
    }

    @Test
    void rejectsAnEmptyCommand() {
        assertThrows(IllegalArgumentException.class, () -> new ExecProbe("x", List.of(), TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> new ExecProbe("x", List.of(""), TIMEOUT));
    }
}
