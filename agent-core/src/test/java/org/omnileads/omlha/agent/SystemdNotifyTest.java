package org.omnileads.omlha.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;

/** sd_notify datagrams reach a socket like systemd's (a real AF_UNIX datagram socket bound by the test). */
class SystemdNotifyTest {
    @TempDir
    Path dir;

    /** A listener where systemd would listen: socket(AF_UNIX, SOCK_DGRAM) bound to {@code path} ("@..." = abstract). */
    private static int listen(String path) {
        int fd = Native.check(Native.LIBC.socket(1, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC | Linux.SOCK_NONBLOCK, 0), "socket");
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes[0] == '@') {
            bytes[0] = 0;
        }
        ByteBuffer address = ByteBuffer.allocateDirect(110).order(ByteOrder.nativeOrder());
        address.putShort((short) 1).put(bytes).clear();
        Native.check(Native.LIBC.bind(fd, address, 2 + bytes.length + (bytes[0] == 0 ? 0 : 1)), "bind");
        return fd;
    }

    private static String receive(int fd) throws InterruptedException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(512);
        for (int i = 0; i < 200; i++) {
            long n = Native.LIBC.recvfrom(fd, buffer, buffer.capacity(), Linux.MSG_DONTWAIT, null, null);
            if (n > 0) {
                byte[] bytes = new byte[(int) n];
                buffer.get(bytes);
                return new String(bytes, StandardCharsets.UTF_8);
            }
            Thread.sleep(5);
        }
        return null;
    }

    @Test
    void readyWatchdogAndStoppingReachThePathSocket() throws Exception {
        String path = dir.resolve("notify").toString();
        int listener = listen(path);
        try (SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", path, "WATCHDOG_USEC", "10000000"))) {
            assertTrue(notify.enabled());
            assertEquals(5_000_000_000L, notify.watchdogIntervalNanos(), "half of WatchdogSec");
            notify.ready();
            assertTrue(receive(listener).startsWith("READY=1\n"));
            notify.watchdog();
            assertEquals("WATCHDOG=1", receive(listener));
            notify.stopping();
            assertEquals("STOPPING=1", receive(listener));
        } finally {
            Native.LIBC.close(listener);
        }
    }

    @Test
    void anAbstractSocketWorksToo() throws Exception {
        String path = "@omlha-test-" + ProcessHandle.current().pid();
        int listener = listen(path);
        try (SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", path))) {
            notify.ready();
            assertTrue(receive(listener).startsWith("READY=1"));
            assertEquals(0, notify.watchdogIntervalNanos(), "no watchdog asked for");
        } finally {
            Native.LIBC.close(listener);
        }
    }

    @Test
    void withoutSystemdNothingHappens() {
        try (SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of())) {
            assertFalse(notify.enabled());
            notify.ready();
            notify.watchdog();
        }
    }

    @Test
    void theWatchdogIsOnlyForTheProcessSystemdNamed() {
        try (SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "@x", "WATCHDOG_USEC", "1000000",
                "WATCHDOG_PID", "1"))) {
            assertEquals(0, notify.watchdogIntervalNanos());
        }
    }
}
