package org.omnileads.omlha.probes;

import org.slf4j.Logger;

/** A probe's logger and name, for the lines several probes write alike. */
final class ProbeLog {
    private final Logger log;
    private final String probe;

    ProbeLog(Logger log, String probe) {
        this.log = log;
        this.probe = probe;
    }

    /** Runs the watch callback; a failing callback is logged, never thrown into the thread that noticed the change. */
    void runWatchCallback(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            log.warn("probe {}: watch callback failed", probe, e);
        }
    }
}
