package org.omnileads.omlha.vip;

import static org.omnileads.omlha.linux.Native.LIBC;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;

/** Small socket helpers shared by this module's sockets; every failure names the option and its target. */
final class Sockets {
    private Sockets() {}

    // <asm-generic/socket.h>, x86-64 and aarch64
    static final int SO_RCVTIMEO = 20;

    static ByteBuffer direct(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    static void setInt(int fd, int level, int option, int value, String what) {
        ByteBuffer buffer = direct(4).putInt(0, value);
        Native.check(LIBC.setsockopt(fd, level, option, buffer, 4), "setsockopt(" + what + ")");
    }

    static void setBytes(int fd, int level, int option, byte[] value, String what) {
        ByteBuffer buffer = direct(Math.max(1, value.length));
        buffer.put(0, value);
        Native.check(LIBC.setsockopt(fd, level, option, buffer, value.length), "setsockopt(" + what + ")");
    }

    /** SO_RCVTIMEO: a blocking receive gives up with EAGAIN after {@code millis}. */
    static void receiveTimeout(int fd, int millis) {
        ByteBuffer timeval = direct(16);
        timeval.putLong(0, millis / 1000);
        timeval.putLong(8, (millis % 1000) * 1000L);
        Native.check(LIBC.setsockopt(fd, Linux.SOL_SOCKET, SO_RCVTIMEO, timeval, 16), "setsockopt(SO_RCVTIMEO)");
    }

    /** SO_BINDTODEVICE takes the interface name's bytes and their length, not an index. */
    static void bindToDevice(int fd, String ifName) {
        setBytes(fd, Linux.SOL_SOCKET, Linux.SO_BINDTODEVICE, ifName.getBytes(StandardCharsets.UTF_8),
                "SO_BINDTODEVICE, \"" + ifName + "\"");
    }

    /** Closes {@code fd} and ignores a failure: used on error paths and in close(). */
    static void closeQuietly(int fd) {
        if (fd >= 0) {
            LIBC.close(fd);
        }
    }
}
