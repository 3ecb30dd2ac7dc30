package org.omnileads.omlha.agent.status;

import java.util.List;
import java.util.Map;

/**
 * One group as {@code omlha-agent status} shows it (field names are the JSON of CONTRACT.md). Beyond the contract:
 * {@code vipsOnNic} lists the VIPs that are on the interface now (one may be missing while an attach is retried),
 * {@code faultReason} says what holds the group in FAULT (null when nothing does), {@code maintenance} is the
 * contract's mark, {@code handingOver} is true while a master that gave the group up still holds its VIPs, waiting
 * for the new master to be heard (make-before-break).
 */
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
        List<String> vipsOnNic,
        String faultReason,
        boolean maintenance,
        boolean handingOver,
        String master,
        int masterPriority,
        List<PeerStatus> peers,
        long advertsSent,
        long advertsReceived,
        long configMismatches,
        Map<String, Long> transitionCounts,
        List<TransitionRecord> transitions,
        DatabaseStatus database,
        RedisStatus redis) {

    public record PeerStatus(String address, int priority, long lastAdvertMsAgo) {}

    /**
     * For a group that follows a PostgreSQL role: what the probe saw of the local database, and whether it is a
     * stale primary (a peer is primary on a newer timeline).
     */
    public record DatabaseStatus(String probe, String follows, String role, String timeline, String lagBytes, boolean stalePrimary,
            String detail) {}

    /**
     * For a group that follows the Redis master: the local Redis's role, the master most of the configured Sentinels
     * name ({@code sentinelMaster}, null when none) and whether that is this node, how many of them name it
     * ({@code sentinelsAgreeing}) out of {@code sentinelsConfigured} ({@code sentinelsAnswered} answered),
     * {@code elected}: a majority names this node; {@code staleMaster}: the local Redis is master while a majority
     * names another node.
     */
    public record RedisStatus(String probe, String role, String sentinelMaster, boolean sentinelMasterIsThisNode,
            int sentinelsAgreeing, int sentinelsAnswered, int sentinelsConfigured, boolean elected, boolean staleMaster,
            String detail) {}

    /** A state change: when (wall clock), from, to, and why. */
    public record TransitionRecord(String at, String from, String to, String reason) {}
}
