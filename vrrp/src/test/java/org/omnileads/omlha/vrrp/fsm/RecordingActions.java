package org.omnileads.omlha.vrrp.fsm;

import java.util.ArrayList;
import java.util.List;

/** Records what a router asked for, as short strings, and whether it holds its VIPs. */
final class RecordingActions implements RouterActions {
    final List<String> calls = new ArrayList<>();
    final List<String> reasons = new ArrayList<>();
    boolean vipsHeld;
    /** Runs inside {@link #announceVips(long)}, as the agent's announcement scheduler does. */
    Runnable onAnnounce = () -> { };
    /** When set, {@link #attachVips(long)} throws it after recording the call (an I/O side that breaks its promise). */
    RuntimeException attachFailure;
    /** The {@code now} of every call, in order. */
    final List<Long> times = new ArrayList<>();

    @Override
    public void sendAdvert(long now, int priority, int advertIntervalCentis) {
        calls.add("advert " + priority + " " + advertIntervalCentis);
    }

    @Override
    public void attachVips(long now) {
        if (vipsHeld) {
            throw new AssertionError("attachVips() while the VIPs are attached");
        }
        vipsHeld = true;
        calls.add("attach");
        times.add(now);
        if (attachFailure != null) {
            throw attachFailure;
        }
    }

    @Override
    public void announceVips(long now) {
        calls.add("announce");
        onAnnounce.run();
    }

    @Override
    public void releaseVips(long now) {
        if (!vipsHeld) {
            throw new AssertionError("releaseVips() while no VIP is attached");
        }
        vipsHeld = false;
        calls.add("release");
    }

    @Override
    public void transition(long now, VrrpState from, VrrpState to, String reason) {
        calls.add(from + "->" + to);
        reasons.add(reason);
        times.add(now);
    }

    /** The calls so far, then forgets them. */
    List<String> take() {
        List<String> taken = List.copyOf(calls);
        calls.clear();
        return taken;
    }

    String lastReason() {
        return reasons.get(reasons.size() - 1);
    }
}
