package org.omnileads.omlha.vrrp.net;

import java.nio.ByteBuffer;
import jnr.ffi.Pointer;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;
import org.omnileads.omlha.linux.NativeException;

/**
 * Waits for several file descriptors to become readable, for at most a timeout in nanoseconds, with
 * ppoll(2); an eventfd lets any thread cut the wait short ({@link #wakeup()}). An event loop asks its state
 * machines for the next deadline and calls {@code await(deadline - now)}.
 *
 * <p>{@link #register}, {@link #unregister}, {@link #await}, {@link #isReadable} and {@link #close} belong to
 * the loop's thread; {@link #wakeup()} may be called from any thread, also after close. After setup,
 * await allocates nothing.
 */
public final class Poller implements AutoCloseable {
    private static final int WAKEUP_SLOT = 0;
    private static final short READ_EVENTS = Linux.POLLIN;

    private final Object lifecycle = new Object();
    private volatile int eventFd;
    private ByteBuffer pollFds;
    private Pointer pollFdsPointer;
    private int slots;
    private final ByteBuffer timespec = NativeStructs.allocate(NativeStructs.TIMESPEC_SIZE);
    private final Pointer timespecPointer = Pointer.wrap(Native.RUNTIME, NativeStructs.addressOf(timespec));
    private final ByteBuffer one = NativeStructs.allocate(8).putLong(0, 1L);
    private final ByteBuffer drain = NativeStructs.allocate(8);

    public Poller() {
        eventFd = Native.check(Native.LIBC.eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC), "eventfd()");
        growTo(8);
        NativeStructs.putPollfd(pollFds, WAKEUP_SLOT, eventFd, READ_EVENTS);
        slots = 1;
    }

    /** Watches {@code fd} for readability from the next {@link #await} on. */
    public void register(int fd) {
        requireOpen();
        if (fd < 0) {
            throw new IllegalArgumentException("bad file descriptor " + fd);
        }
        if (slotOf(fd) >= 0) {
            throw new IllegalArgumentException("fd " + fd + " is already registered");
        }
        if ((slots + 1) * NativeStructs.POLLFD_SIZE > pollFds.capacity()) {
            growTo(slots * 2);
        }
        NativeStructs.putPollfd(pollFds, slots * NativeStructs.POLLFD_SIZE, fd, READ_EVENTS);
        slots++;
    }

    /** Stops watching {@code fd}; an fd that is not registered is ignored. */
    public void unregister(int fd) {
        int slot = slotOf(fd);
        if (slot < 0) {
            return;
        }
        int last = slots - 1;
        for (int i = 0; i < NativeStructs.POLLFD_SIZE; i++) {
            pollFds.put(slot * NativeStructs.POLLFD_SIZE + i, pollFds.get(last * NativeStructs.POLLFD_SIZE + i));
        }
        slots = last;
    }

    /**
     * Waits until a registered fd is readable, {@link #wakeup()} is called, or {@code timeoutNanos} pass
     * (0 returns at once; a negative timeout waits without limit).
     *
     * @return how many registered fds are ready (0 after a wake-up, a timeout or a signal)
     */
    public int await(long timeoutNanos) {
        requireOpen();
        for (int slot = 0; slot < slots; slot++) {
            pollFds.putShort(slot * NativeStructs.POLLFD_SIZE + NativeStructs.POLLFD_REVENTS, (short) 0);
        }
        Pointer timeout = null;
        if (timeoutNanos >= 0) {
            NativeStructs.putTimespec(timespec, 0, timeoutNanos);
            timeout = timespecPointer;
        }
        int ready = Native.LIBC.ppoll(pollFdsPointer, slots, timeout, null);
        if (ready < 0) {
            int errno = Native.errno();
            if (errno == Linux.EINTR) {
                return 0;
            }
            throw NativeException.fromErrno("ppoll(" + (slots - 1) + " fds)", errno);
        }
        if (revents(WAKEUP_SLOT) != 0) {
            Native.LIBC.read(eventFd, drain, 8);
            ready--;
        }
        return ready;
    }

    /**
     * True when the last {@link #await} found {@code fd} ready: readable, or with an error or hang-up that a
     * read will report.
     */
    public boolean isReadable(int fd) {
        int slot = slotOf(fd);
        return slot > WAKEUP_SLOT && revents(slot) != 0;
    }

    /** Makes the current or next {@link #await} return; safe from any thread, a no-op once closed. */
    public void wakeup() {
        synchronized (lifecycle) {
            if (eventFd >= 0) {
                Native.LIBC.write(eventFd, one, 8);
            }
        }
    }

    /** Closes the eventfd (the registered fds belong to their owners); later calls do nothing. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (eventFd >= 0) {
                Native.LIBC.close(eventFd);
                eventFd = -1;
            }
        }
    }

    private int revents(int slot) {
        return pollFds.getShort(slot * NativeStructs.POLLFD_SIZE + NativeStructs.POLLFD_REVENTS);
    }

    private int slotOf(int fd) {
        for (int slot = 0; slot < slots; slot++) {
            if (pollFds.getInt(slot * NativeStructs.POLLFD_SIZE) == fd) {
                return slot;
            }
        }
        return -1;
    }

    private void growTo(int capacity) {
        ByteBuffer bigger = NativeStructs.allocate(capacity * NativeStructs.POLLFD_SIZE);
        if (pollFds != null) {
            for (int i = 0; i < slots * NativeStructs.POLLFD_SIZE; i++) {
                bigger.put(i, pollFds.get(i));
            }
        }
        pollFds = bigger;
        pollFdsPointer = Pointer.wrap(Native.RUNTIME, NativeStructs.addressOf(bigger));
    }

    private void requireOpen() {
        if (eventFd < 0) {
            throw new IllegalStateException("poller is closed");
        }
    }
}
