package org.omnileads.omlha.agent;

import org.slf4j.Logger;

/**
 * Logs a recurring condition at most once per period, saying how many were suppressed in between, so that a
 * misconfigured neighbour sending 100 adverts a second cannot flood the journal.
 */
final class RateLimitedLog {
    private final Logger log;
    private final long periodNanos;
    private long lastLogged;
    private boolean loggedOnce;
    private long suppressed;

    RateLimitedLog(Logger log, long periodNanos) {
        this.log = log;
        this.periodNanos = periodNanos;
    }

    /** Logs {@code message} at WARN unless one was logged less than a period before {@code now}. */
    void warn(long now, String format, Object... args) {
        if (loggedOnce && now - lastLogged < periodNanos) {
            suppressed++;
            return;
        }
        if (suppressed > 0) {
            log.warn(format + " ({} similar messages suppressed)", append(args, suppressed));
        } else {
            log.warn(format, args);
        }
        loggedOnce = true;
        lastLogged = now;
        suppressed = 0;
    }

    private static Object[] append(Object[] args, Object extra) {
        Object[] out = java.util.Arrays.copyOf(args, args.length + 1);
        out[args.length] = extra;
        return out;
    }
}
