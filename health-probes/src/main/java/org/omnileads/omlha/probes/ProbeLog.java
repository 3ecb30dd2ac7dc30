package org.omnileads.omlha.probes;

import org.slf4j.Logger;

/** A probe's logger and name, for the lines several probes write alike. */
final class ProbeLog {
    private final Logger log;
    private final String probe;
    private volatile Boolean lastUp;

    ProbeLog(Logger log, String probe) {
        this.log = log;
        this.probe = probe;
    }

    /** Logs the first result and each change between up (INFO) and down (WARN); {@code null} is no result. */
    void result(ProbeResult r) {
        if (r == null) {
            return;
        }
        Boolean previous = lastUp;
        lastUp = r.up();
        if (previous == null || previous != r.up()) {
            if (r.up()) {
                log.info("probe {}: up, {}", probe, r.detail());
            } else {
                log.warn("probe {}: down, {}", probe, r.detail());
            }
        }
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
