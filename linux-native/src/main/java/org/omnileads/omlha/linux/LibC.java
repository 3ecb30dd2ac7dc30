package org.omnileads.omlha.linux;

import java.nio.ByteBuffer;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.PointerByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls the agent needs, bound with JNR-FFI. Every call saves errno; read it with
 * {@link Native#errno()} right after the call, on the same thread.
 *
 * <p>Buffers may be passed as direct {@link ByteBuffer}s (JNR passes their address, from the buffer's
 * position) or as JNR {@link Pointer}s allocated once and reused, so steady-state paths allocate nothing.
 */
public interface LibC {
    int socket(int domain, int type, int protocol);

    int bind(int fd, @In ByteBuffer addr, int addrLen);

    int setsockopt(int fd, int level, int optName, @In ByteBuffer optVal, int optLen);

    int getsockopt(int fd, int level, int optName, @Out ByteBuffer optVal, @In @Out int[] optLen);

    @ssize_t long sendto(int fd, @In ByteBuffer buf, @size_t long len, int flags, @In ByteBuffer destAddr, int addrLen);

    @ssize_t long recvfrom(int fd, @Out ByteBuffer buf, @size_t long len, int flags, @Out ByteBuffer srcAddr, @In @Out int[] addrLen);

    /** {@code msghdr} and its iovec/control buffers laid out by hand in native memory (see {@link Native#allocate}). */
    @ssize_t long recvmsg(int fd, Pointer msghdr, int flags);

    @ssize_t long sendmsg(int fd, Pointer msghdr, int flags);

    /** {@code fds} is an array of {@code struct pollfd {int fd; short events; short revents;}}; timeout a {@code struct timespec} or null. */
    int ppoll(Pointer fds, @size_t long nfds, Pointer timeout, Pointer sigmask);

    int poll(Pointer fds, @size_t long nfds, int timeoutMillis);

    int close(int fd);

    int shutdown(int fd, int how);

    int eventfd(int initVal, int flags);

    @ssize_t long read(int fd, @Out ByteBuffer buf, @size_t long count);

    @ssize_t long write(int fd, @In ByteBuffer buf, @size_t long count);

    int if_nametoindex(String ifName);

    String strerror(int errnum);

    int getpid();

    /** open(2); {@code flags} from {@link Linux} ({@code O_RDONLY | O_CLOEXEC}). */
    int open(String pathName, int flags);

    /** setns(2): moves the calling thread only (not the process) into the namespace that {@code fd} refers to. */
    int setns(int fd, int nsType);

    /** getifaddrs(3): a linked list of {@code struct ifaddrs} in the calling thread's network namespace; free it with {@link #freeifaddrs}. */
    int getifaddrs(PointerByReference ifap);

    void freeifaddrs(Pointer ifa);

    int kill(int pid, int sig);

    /** sched_setscheduler(2): {@code pid} 0 is the calling thread; {@code param} a {@code struct sched_param {int sched_priority;}}. */
    int sched_setscheduler(int pid, int policy, @In ByteBuffer param);

    /** sched_getscheduler(2): the policy of thread {@code pid} (0 = the caller), with SCHED_RESET_ON_FORK or'ed in. */
    int sched_getscheduler(int pid);
}
