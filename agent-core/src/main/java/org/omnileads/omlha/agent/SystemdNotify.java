package org.omnileads.omlha.agent;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;

/**
 * sd_notify(3) for {@code Type=notify} units: {@code READY=1} once the groups run, {@code WATCHDOG=1} from the VRRP
 * loop itself (so a stuck loop gets the agent restarted), {@code STOPPING=1} on a graceful stop. Without
 * {@code NOTIFY_SOCKET} (not started by systemd) every call does nothing. A datagram on an AF_UNIX socket, sent
 * through libc: the JDK has no Unix datagram sockets.
 */
final class SystemdNotify implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SUN_PATH = 108;

    private final int fd;
    private final ByteBuffer address;
    private final int addressLength;
    private final long watchdogNanos;
    private final ByteBuffer message = ByteBuffer.allocateDirect(256);

    private SystemdNotify(int fd, ByteBuffer address, int addressLength, long watchdogNanos) {
        this.fd = fd;
        this.address = address;
        this.addressLength = addressLength;
        this.watchdogNanos = watchdogNanos;
    }

    /** From the environment systemd gives the main process; a no-op notifier when there is none. */
    static SystemdNotify fromEnvironment(Map<String, String> env) {
        String socket = env.get("NOTIFY_SOCKET");
        long watchdogNanos = 0;
        String usec = env.get("WATCHDOG_USEC");
        String pid = env.get("WATCHDOG_PID");
        if (usec != null && (pid == null || pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            try {
                watchdogNanos = Long.parseLong(usec) * 1000;
            } catch (NumberFormatException e) {
                watchdogNanos = 0;
            }
        }
        if (socket == null || socket.isEmpty()) {
            return new SystemdNotify(-1, null, 0, 0);
        }
        byte[] path = socket.getBytes(StandardCharsets.UTF_8);
        if (path.length >= SUN_PATH) {
            throw new IllegalStateException("NOTIFY_SOCKET too long: " + socket);
        }
        if (path[0] == '@') {
            path[0] = 0; // abstract namespace
        }
        ByteBuffer address = ByteBuffer.allocateDirect(2 + SUN_PATH).order(ByteOrder.nativeOrder());
        address.putShort((short) AF_UNIX).put(path).clear();
        int fd = Native.check(Native.LIBC.socket(AF_UNIX, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC, 0), "socket(AF_UNIX) for sd_notify");
        return new SystemdNotify(fd, address, 2 + path.length + (path[0] == 0 ? 0 : 1), watchdogNanos);
    }

    boolean enabled() {
        return fd >= 0;
    }

    /** Half the watchdog timeout systemd asked for, or 0 when it asked for none. */
    long watchdogIntervalNanos() {
        return enabled() ? watchdogNanos / 2 : 0;
    }

    void ready() {
        send("READY=1\nSTATUS=running\nMAINPID=" + ProcessHandle.current().pid());
    }

    void watchdog() {
        send("WATCHDOG=1");
    }

    void stopping() {
        send("STOPPING=1");
    }

    private void send(String text) {
        if (!enabled()) {
            return;
        }
        message.clear();
        message.put(text.getBytes(StandardCharsets.UTF_8)).flip();
        // Best effort, as sd_notify: a missing listener must never stop the agent.
        Native.LIBC.sendto(fd, message, message.remaining(), Linux.MSG_DONTWAIT, address, addressLength);
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Native.LIBC.close(fd);
        }
    }
}
