package org.omnileads.omlha.probes;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every probe shares: its name and validated timeout, the closed flag, the watch callback, and the opening of
 * {@link #check()}: a closed probe answers down, {@code probe closed}, at once; otherwise a {@link Check} is started
 * (its duration measured from here) and handed to {@link #begin}. A check whose thread or event loop
 * {@link #close()} shut down meanwhile is down, {@code probe closed}, too.
 */
abstract class AbstractProbe implements Probe {
    private static final Logger log = LoggerFactory.getLogger(AbstractProbe.class);

    final String name;
    final Duration timeout;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Runnable changed = () -> { };

    /** A timeout that is not positive is an {@link IllegalArgumentException} that names the probe. */
    AbstractProbe(String name, Duration timeout) {
        this.name = Objects.requireNonNull(name, "name");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("probe " + name + ": timeout must be positive, got " + timeout);
        }
        this.timeout = timeout;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final CompletableFuture<ProbeResult> check() {
        if (closed()) {
            return CompletableFuture.completedFuture(ProbeResult.down(0, Check.CLOSED));
        }
        Check check = new Check(timeout);
        try {
            begin(check);
        } catch (RejectedExecutionException e) {
            check.down(Check.CLOSED);
        }
        return check.future();
    }

    /**
     * Starts {@code check}, never blocking: the probe answers it, from any thread, within the timeout. An executor
     * that refuses the work ({@link RejectedExecutionException}) means the probe closed.
     */
    abstract void begin(Check check);

    /**
     * Runs {@code work} on {@code executor} (the probe's thread or event loop), unless the probe closed before it
     * got there: then the check is down, {@code probe closed}.
     */
    final void execute(Executor executor, Check check, Runnable work) {
        executor.execute(() -> {
            if (closed()) {
                check.down(Check.CLOSED);
            } else {
                work.run();
            }
        });
    }

    @Override
    public void watch(Runnable changed) {
        this.changed = Objects.requireNonNull(changed, "changed");
    }

    /** Tells the watcher the probe noticed a change; a failing callback is logged, never thrown at the caller. */
    final void changed() {
        try {
            changed.run();
        } catch (RuntimeException e) {
            log.warn("probe {}: watch callback failed", name, e);
        }
    }

    final boolean closed() {
        return closed.get();
    }

    /** Marks the probe closed, then releases what it holds; only the first call releases. */
    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            release();
        }
    }

    /** Releases kept connections, threads and file descriptors; called once, after {@link #closed()} turned true. */
    abstract void release();
}
