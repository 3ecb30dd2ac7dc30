package org.omnileads.omlha.agent;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.agent.status.GroupStatus;
import org.omnileads.omlha.vip.VipAddress;
import org.omnileads.omlha.vrrp.fsm.VrrpState;

/** What status reports of a group's past: the peers heard, the last transitions, the counters. Loop thread only. */
final class GroupHistory {
    private static final int TRANSITIONS_KEPT = 20;

    private final Map<InetAddress, Peer> peers = new HashMap<>();
    private final ArrayDeque<GroupStatus.TransitionRecord> transitions = new ArrayDeque<>();
    /** Transitions since start, by the state entered (VrrpState ordinal). */
    private final long[] transitionsInto = new long[VrrpState.values().length];
    private long advertsReceived;
    private long configMismatches;

    private static final class Peer {
        int priority;
        long lastAdvertNanos;
    }

    /** A valid advert from {@code source}; allocates only for a peer never heard before. */
    void advertFrom(long now, InetAddress source, int priority) {
        advertsReceived++;
        Peer peer = peers.computeIfAbsent(source, a -> new Peer());
        peer.priority = priority;
        peer.lastAdvertNanos = now;
    }

    void configMismatch() {
        configMismatches++;
    }

    void transition(VrrpState to, GroupStatus.TransitionRecord record) {
        transitionsInto[to.ordinal()]++;
        if (transitions.size() == TRANSITIONS_KEPT) {
            transitions.removeFirst();
        }
        transitions.addLast(record);
    }

    long advertsReceived() {
        return advertsReceived;
    }

    long configMismatches() {
        return configMismatches;
    }

    List<GroupStatus.TransitionRecord> transitions() {
        return List.copyOf(transitions);
    }

    List<GroupStatus.PeerStatus> peers(long now) {
        List<GroupStatus.PeerStatus> list = new ArrayList<>();
        peers.forEach((address, peer) -> list.add(new GroupStatus.PeerStatus(
                VipAddress.format(address), peer.priority, TimeUnit.NANOSECONDS.toMillis(now - peer.lastAdvertNanos))));
        list.sort((a, b) -> a.address().compareTo(b.address()));
        return list;
    }

    Map<String, Long> transitionCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (VrrpState state : VrrpState.values()) {
            counts.put(state.name(), transitionsInto[state.ordinal()]);
        }
        return counts;
    }
}
