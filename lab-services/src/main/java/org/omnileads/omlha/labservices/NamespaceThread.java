package org.omnileads.omlha.labservices;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * The daemon thread of a lab client: it enters a namespace with setns(2) (which moves only that thread), then
 * runs the client's body there. {@link #start} returns once it is in; why it could not run is kept for the owner.
 */
final class NamespaceThread {
    private final String namespace;
    private final Runnable body;
    private final CountDownLatch entered = new CountDownLatch(1);
    private final Thread thread;
    private volatile RuntimeException failure;

    /** The thread is named {@code name-namespace}. */
    NamespaceThread(String namespace, String name, Runnable body) {
        this.namespace = namespace;
        this.body = body;
        this.thread = new Thread(this::run, name + "-" + namespace);
        this.thread.setDaemon(true);
    }

    /**
     * Starts the thread and waits (10 s at most) until it is in the namespace. When it is not, runs
     * {@code abort} (the owner's close) and throws; when it could not enter, throws why.
     */
    void start(String role, Runnable abort) {
        thread.start();
        try {
            if (!entered.await(10, TimeUnit.SECONDS)) {
                abort.run();
                throw new IllegalStateException("the " + role + " thread did not enter " + namespace + " within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort.run();
            throw new IllegalStateException("interrupted while entering " + namespace, e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Records why the body stopped early (for the owner's {@code failure()}). */
    void fail(RuntimeException e) {
        failure = e;
    }

    Optional<RuntimeException> failure() {
        return Optional.ofNullable(failure);
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    void interrupt() {
        thread.interrupt();
    }

    /** Waits up to 10 s for the thread to end. */
    void join() {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            NetnsLab.enterNamespace(namespace);
        } catch (RuntimeException e) {
            failure = e;
            entered.countDown();
            return;
        }
        entered.countDown();
        body.run();
    }
}
