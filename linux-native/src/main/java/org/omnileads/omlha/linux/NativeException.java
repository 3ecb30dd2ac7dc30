package org.omnileads.omlha.linux;

/**
 * A failed system call, with the operation that failed and its errno. Messages read like
 * {@code setsockopt(SO_BINDTODEVICE, "eth9"): No such device (errno 19)}.
 */
public class NativeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String operation;
    private final int errno;

    public NativeException(String operation, int errno, String description) {
        super(operation + ": " + description + " (errno " + errno + ")");
        this.operation = operation;
        this.errno = errno;
    }

    public static NativeException fromErrno(String operation, int errno) {
        String hint = switch (errno) {
            case Linux.EPERM, Linux.EACCES -> " - the agent needs root or CAP_NET_RAW and CAP_NET_ADMIN";
            default -> "";
        };
        return new NativeException(operation, errno, Native.describe(errno) + hint);
    }

    /** What failed, as the message begins: {@code setsockopt(SO_BINDTODEVICE, "eth9")}. */
    public String operation() {
        return operation;
    }

    public int errno() {
        return errno;
    }
}
