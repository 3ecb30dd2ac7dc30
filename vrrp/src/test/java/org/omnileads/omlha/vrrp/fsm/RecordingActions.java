package org.omnileads.omlha.vrrp.fsm;

import java.util.ArrayList;
import java.util.List;

/** Records what a router asked for, as short strings, and whether it holds its VIPs. */
final class RecordingActions implements RouterActions {
    final List<String> calls = new ArrayList<>();
    final List<String> reasons = new ArrayList<>();
    boolean vipsHeld;
    /** Runs inside {@link #announceVips()}, as the agent's announcement scheduler does. */
    Runnable onAnnounce = () -> { };

    @Override
    public void sendAdvert(int priority, int advertIntervalCentis) {
        calls.add("advert " + priority + " " + advertIntervalCentis);
    }

    @Override
    public void attachVips() {
        if (vipsHeld) {
            throw new AssertionError("attachVips() while the VIPs are attached");
        }
        vipsHeld = true;
        calls.add("attach");
    }

    @Override
    public void announceVips() {
        calls.add("announce");
        onAnnounce.run();
    }

    @Override
    public void releaseVips() {
        if (!vipsHeld) {
            throw new AssertionError("releaseVips() while no VIP is attached");
        }
        vipsHeld = false;
        calls.add("release");
    }

    @Override
    public void transition(VrrpState from, VrrpState to, String reason) {
        calls.add(from + "->" + to);
        reasons.add(reason);
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
