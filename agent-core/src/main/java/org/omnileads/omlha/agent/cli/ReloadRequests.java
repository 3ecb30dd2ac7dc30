package org.omnileads.omlha.agent.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * SIGHUP requests, served one at a time. The JVM runs each signal's handler on a thread of its own; the first one in
 * reloads, and a request that arrives meanwhile is not lost: the reloading thread sees it when it is done and reloads
 * once more, reading the file after that request. Requests that pile up meanwhile fold into that one. So after a burst
 * of SIGHUPs the agent runs the file as it was at the last one. No thread waits here between signals.
 */
final class ReloadRequests {
    private final Runnable reload;
    private final AtomicBoolean requested = new AtomicBoolean();
    private final ReentrantLock reloading = new ReentrantLock();

    ReloadRequests(Runnable reload) {
        this.reload = reload;
    }

    /** From a signal handler: reloads on this thread, or leaves the request to the thread that is reloading now. */
    void request() {
        requested.set(true);
        // Whoever holds the lock re-checks the flag after letting go, so a request set just before its unlock is served.
        while (requested.get() && reloading.tryLock()) {
            try {
                while (requested.getAndSet(false)) { // cleared before the file is read: a later SIGHUP reloads again
                    reload.run();
                }
            } finally {
                reloading.unlock();
            }
        }
    }
}
