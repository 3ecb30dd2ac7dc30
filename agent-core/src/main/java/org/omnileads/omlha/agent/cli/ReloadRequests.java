package org.omnileads.omlha.agent.cli;

/**
 * SIGHUP requests, served one at a time by one thread. A request that arrives while a reload runs is not lost: it
 * makes one more reload, which reads the file after the request. Requests that pile up meanwhile fold into that one.
 * So after a burst of SIGHUPs the agent runs the file as it was at the last one, whatever order the JVM's signal
 * threads (one per signal) run in.
 */
final class ReloadRequests implements AutoCloseable {
    private final Runnable reload;
    private final Thread thread;
    private boolean requested;
    private boolean closed;

    ReloadRequests(Runnable reload) {
        this.reload = reload;
        this.thread = new Thread(this::serve, "reload");
        thread.setDaemon(true);
        thread.start();
    }

    /** From a signal handler: returns at once. */
    synchronized void request() {
        requested = true;
        notifyAll();
    }

    private void serve() {
        while (true) {
            synchronized (this) {
                while (!requested && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                requested = false; // before the file is read: a later SIGHUP makes another reload
            }
            reload.run();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
