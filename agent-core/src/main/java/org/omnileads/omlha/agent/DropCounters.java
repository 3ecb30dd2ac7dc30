package org.omnileads.omlha.agent;

import java.util.LinkedHashMap;
import java.util.Map;
import org.omnileads.omlha.vrrp.packet.DropReason;

/** Rejected VRRP packets by reason. Written only by the VRRP loop thread; read through status snapshots. */
final class DropCounters {
    private final long[] counts = new long[DropReason.values().length];

    void count(DropReason reason) {
        counts[reason.ordinal()]++;
    }

    long get(DropReason reason) {
        return counts[reason.ordinal()];
    }

    /** Non-zero counters, keyed by the reason's metric label. */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (DropReason reason : DropReason.values()) {
            if (counts[reason.ordinal()] != 0) {
                out.put(reason.label(), counts[reason.ordinal()]);
            }
        }
        return out;
    }
}
