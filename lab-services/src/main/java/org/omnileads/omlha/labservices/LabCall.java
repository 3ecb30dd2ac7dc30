package org.omnileads.omlha.labservices;

/**
 * One request of a lab caller ({@link CallerHttpClient}, {@link NamespaceSipClient}): when it was sent and when it
 * ended (on {@link System#nanoTime()}), whether it got its answer, which node answered (the HAProxy body, the
 * Kamailio {@code Server} header), why it failed otherwise (refused, reset, timeout), and how often it was sent again
 * (SIP retransmissions; 0 for TCP, whose SYN retransmissions show only in the latency).
 */
public record LabCall(long sentNanos, long endedNanos, boolean ok, String node, String failure, int retransmissions) {
    public double latencyMillis() {
        return (endedNanos - sentNanos) / 1e6;
    }

    @Override
    public String toString() {
        return (ok ? "ok " + node : failure) + String.format(java.util.Locale.ROOT, " in %.1f ms", latencyMillis())
                + (retransmissions > 0 ? ", " + retransmissions + " retransmissions" : "");
    }
}
