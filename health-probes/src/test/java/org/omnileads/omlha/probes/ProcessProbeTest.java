package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    @TempDir
    Path dir;
    private Process child;

    @AfterEach
    void killChild() throws Exception {
        if (child != null) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process sleeper() throws Exception {
        child = new ProcessBuilder("sleep", "30").start();
        return child;
    }

    private Path pidfile(long pid) throws Exception {
        return Files.writeString(dir.resolve("service.pid"), pid + "\n");
    }

    private static ProbeResult await(Probe probe) throws Exception {
        return probe.check().get(20, TimeUnit.SECONDS);
    }

    @Test
    void upWhileTheProcessRunsAndTheExitIsAnEvent() throws Exception {
        Process sleep = sleeper();
        Path pidfile = pidfile(sleep.pid());
        try (ProcessProbe probe = new ProcessProbe("asterisk", pidfile, TIMEOUT)) {
            CountDownLatch exited = new CountDownLatch(1);
            probe.watch(exited::countDown);
            ProbeResult up = await(probe);
            assertTrue(up.up(), up.detail());
            assertEquals("process " + sleep.pid() + " (sleep) is running", up.detail());

            sleep.destroyForcibly();

            assertTrue(exited.await(10, TimeUnit.SECONDS), "the watch fired when the process exited");
            ProbeResult down = await(probe);
            assertFalse(down.up());
            assertEquals("process " + sleep.pid() + " from " + pidfile + " is gone", down.detail());
        }
    }

    /** With an hourly interval, only the pidfd can make the scheduler notice. */
    @Test
    void theSchedulerHearsOfTheExitAtOnce() throws Exception {
        Process sleep = sleeper();
        BlockingQueue<ProbeResult> changes = new LinkedBlockingQueue<>();
        try (ProbeScheduler scheduler = new ProbeScheduler((name, up, result) -> changes.add(result))) {
            scheduler.add(new ProcessProbe("asterisk", pidfile(sleep.pid()), TIMEOUT), Duration.ofHours(1), TIMEOUT, 1, 1);
            scheduler.start();
            assertTrue(changes.poll(20, TimeUnit.SECONDS).up());

            sleep.destroyForcibly();

            ProbeResult down = changes.poll(10, TimeUnit.SECONDS);
            assertNotNull(down, "no re-check within 10 s of the exit");
            assertFalse(down.up());
            assertTrue(down.detail().endsWith(" is gone"), down.detail());
        }
    }

    @Test
    void aRestartedServiceWithANewPidfileIsFollowed() throws Exception {
        Process first = sleeper();
        Path pidfile = pidfile(first.pid());
        try (ProcessProbe probe = new ProcessProbe("asterisk", pidfile, TIMEOUT)) {
            CountDownLatch exited = new CountDownLatch(1);
            probe.watch(exited::countDown);
            assertTrue(await(probe).up());
            first.destroyForcibly();
            first.waitFor(10, TimeUnit.SECONDS);
            assertFalse(await(probe).up());

            Process second = sleeper();
            pidfile(second.pid());
            ProbeResult again = await(probe);
            assertTrue(again.up(), again.detail());
            assertEquals("process " + second.pid() + " (sleep) is running", again.detail());
        }
    }

    @Test
    void aStalePidfileIsDown() throws Exception {
        Process done = new ProcessBuilder("true").start();
        assertTrue(done.waitFor(10, TimeUnit.SECONDS));
        Path pidfile = pidfile(done.pid());
        try (ProcessProbe probe = new ProcessProbe("asterisk", pidfile, TIMEOUT)) {
            ProbeResult result = await(probe);
            assertFalse(result.up());
            assertTrue(result.detail().startsWith("process " + done.pid() + " from " + pidfile + " is gone"), result.detail());
        }
    }

    @Test
    void aMissingOrMalformedPidfileIsDownWithTheReason() throws Exception {
        Path pidfile = dir.resolve("none.pid");
        try (ProcessProbe probe = new ProcessProbe("asterisk", pidfile, TIMEOUT)) {
            assertEquals("no pidfile " + pidfile, await(probe).detail());
            Files.writeString(pidfile, "not-a-pid\n");
            assertEquals("bad pidfile " + pidfile + ": 'not-a-pid'", await(probe).detail());
            Files.writeString(pidfile, "0\n");
            assertFalse(await(probe).up());
        }
    }

    @Test
    void readsTheFirstTokenOfThePidfile() {
        assertEquals(1234, ProcessProbe.parsePid("1234\n"));
        assertEquals(1234, ProcessProbe.parsePid("  1234 extra words\nsecond line"));
        assertEquals(-1, ProcessProbe.parsePid(""));
        assertEquals(-1, ProcessProbe.parsePid("-5"));
        assertEquals(-1, ProcessProbe.parsePid("99999999999"));
    }

    /** {@code sleep 0} exits while its parent, exec'ed into {@code sleep 30}, never waits for it: a zombie. */
    @Test
    void aZombieIsGone() throws Exception {
        child = new ProcessBuilder("/bin/sh", "-c", "sleep 0 & echo $!; exec sleep 30").start();
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream())).readLine();
        long zombie = Long.parseLong(line.trim());
        Path pidfile = pidfile(zombie);
        try (ProcessProbe probe = new ProcessProbe("asterisk", pidfile, TIMEOUT)) {
            CountDownLatch exited = new CountDownLatch(1);
            probe.watch(exited::countDown);
            ProbeResult result = await(probe);
            if (result.up()) { // "sleep 0" had not exited yet
                assertTrue(exited.await(10, TimeUnit.SECONDS));
                result = await(probe);
            }
            assertFalse(result.up(), result.detail());
            assertEquals("process " + zombie + " from " + pidfile + " is gone", result.detail());
            assertFalse(ProcessProbe.runs(zombie));
        }
        assertTrue(ProcessProbe.runs(ProcessHandle.current().pid()));
        assertFalse(ProcessProbe.runs(Integer.MAX_VALUE));
    }

    @Test
    void closeStopsTheWatcherThread() throws Exception {
        Process sleep = sleeper();
        ProcessProbe probe = new ProcessProbe("closing", pidfile(sleep.pid()), TIMEOUT);
        probe.watch(() -> { });
        assertTrue(await(probe).up());
        assertTrue(threadAlive("probe-closing-pidfd"));

        probe.close();
        probe.close();

        assertFalse(threadAlive("probe-closing-pidfd"));
        assertEquals("probe closed", await(probe).detail());
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
