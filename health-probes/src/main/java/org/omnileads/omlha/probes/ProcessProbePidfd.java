package org.omnileads.omlha.probes;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;

/**
 * Process file descriptors (pidfd_open(2), Linux 5.3+): an fd that refers to one process, not to its pid, and turns
 * readable when that process exits (also while it is a zombie). Bound here with JNR rather than in linux-native,
 * which this module does not own.
 */
final class ProcessProbePidfd {
    /** {@code pidfd_open} is 434 on every architecture (the unified syscall table since Linux 5.1). */
    static final long SYS_PIDFD_OPEN = 434;
    static final int ESRCH = 3;

    private static final Syscalls SYSCALLS = LibraryLoader.create(Syscalls.class).load("c");

    private ProcessProbePidfd() {}

    /** libc's generic system call entry: -1 and errno on failure. */
    public interface Syscalls {
        long syscall(long number, long a, long b);
    }

    /** A pidfd for {@code pid}, or minus the errno ({@code -ESRCH}: no such process; {@code -ENOSYS}: old kernel). */
    static int open(long pid) {
        long fd = SYSCALLS.syscall(SYS_PIDFD_OPEN, pid, 0);
        return fd < 0 ? -Native.errno() : (int) fd;
    }

    /** True when the process behind {@code pidfd} has exited. */
    static boolean exited(int pidfd) {
        Pointer fds = Native.allocate(8);
        fds.putInt(0, pidfd);
        fds.putShort(4, Linux.POLLIN);
        int ready = Native.LIBC.poll(fds, 1, 0);
        return ready > 0 && fds.getShort(6) != 0;
    }

    /** A non-blocking eventfd to wake a poller, or minus the errno. */
    static int eventfd() {
        int fd = Native.LIBC.eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC);
        return fd < 0 ? -Native.errno() : fd;
    }

    static void signal(int eventfd) {
        ByteBuffer one = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).putLong(0, 1);
        Native.LIBC.write(eventfd, one, 8);
    }

    static void drain(int eventfd) {
        Native.LIBC.read(eventfd, ByteBuffer.allocateDirect(8), 8);
    }

    static void close(int fd) {
        if (fd >= 0) {
            Native.LIBC.close(fd);
        }
    }
}
