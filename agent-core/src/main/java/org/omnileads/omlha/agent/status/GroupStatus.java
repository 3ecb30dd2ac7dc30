package org.omnileads.omlha.agent.status;

import java.util.List;
import java.util.Map;

/** One group as {@code omlha-agent status} shows it (field names are the JSON of CONTRACT.md). */
public record GroupStatus(
        String name,
        int vrid,
        String interfaceName,
        int version,
        String state,
        int priority,
        int effectivePriority,
        long advertIntervalMs,
        List<String> vips,
        boolean vipsAttached,
        String master,
        int masterPriority,
        List<PeerStatus> peers,
        long advertsSent,
        long advertsReceived,
        long configMismatches,
        Map<String, Long> transitionCounts,
        List<TransitionRecord> transitions) {

    public record PeerStatus(String address, int priority, long lastAdvertMsAgo) {}

    /** A state change: when (wall clock), from, to, and why. */
    public record TransitionRecord(String at, String from, String to, String reason) {}
}
