package org.omnileads.omlha.linux;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/** The loaded libc and the helpers every native caller needs: errno, native memory, checked calls. */
public final class Native {
    public static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    public static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    private Native() {}

    /** errno of the last call made on this thread. */
    public static int errno() {
        return LastError.getLastError(RUNTIME);
    }

    /** Zeroed native memory, freed when the returned pointer is collected. Allocate once, reuse. */
    public static Pointer allocate(int size) {
        return Memory.allocateDirect(RUNTIME, size, true);
    }

    /** Throws a {@link NativeException} for {@code operation} when {@code result} is negative; returns it otherwise. */
    public static int check(int result, String operation) {
        if (result < 0) {
            throw NativeException.fromErrno(operation, errno());
        }
        return result;
    }

    /** As {@link #check(int, String)} for ssize_t results. */
    public static long check(long result, String operation) {
        if (result < 0) {
            throw NativeException.fromErrno(operation, errno());
        }
        return result;
    }

    /** Human text for an errno value, as strerror(3) gives it. */
    public static String describe(int errno) {
        String text = LIBC.strerror(errno);
        return text == null ? "errno " + errno : text;
    }
}
