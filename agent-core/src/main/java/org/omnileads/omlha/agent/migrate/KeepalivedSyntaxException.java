package org.omnileads.omlha.agent.migrate;

/** A keepalived.conf that cannot be read: {@code line 12: unterminated quoted string}. */
public final class KeepalivedSyntaxException extends Exception {
    private final int line;

    public KeepalivedSyntaxException(int line, String message) {
        super("line " + line + ": " + message);
        this.line = line;
    }

    /** The 1-based line the problem is on. */
    public int line() {
        return line;
    }
}
