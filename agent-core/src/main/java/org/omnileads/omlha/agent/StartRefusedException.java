package org.omnileads.omlha.agent;

/**
 * An expected reason why the agent cannot run its groups on this node (a missing capability, a missing interface),
 * told in one line that says what to fix. {@code omlha-agent run} logs the message alone, without a stack trace (the
 * trace would only show where the agent noticed, which the operator does not need), and exits with
 * {@link #exitCode()}. Anything else that fails at start is a bug and keeps its stack trace.
 */
public final class StartRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** May come right by itself (an interface made later at boot, a second agent that stops): systemd may retry. */
    public static final int EXIT_FAILED = 1;
    /**
     * This host does not give the agent what it needs (a capability): restarting cannot fix it, so the unit's
     * {@code RestartPreventExitStatus=} lists it.
     */
    public static final int EXIT_HOST_LACKS = 4;

    private final int exitCode;

    public StartRefusedException(String message, int exitCode) {
        // No stack trace is ever shown for it, so none is taken.
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
