package org.omnileads.omlha.probes;

/**
 * Rise/fall hysteresis of one probe, as keepalived's {@code vrrp_script} and HAProxy's health checks apply it. The
 * first result decides at once (a node starts quickly and a dead service is down from the start); after that the
 * reported state changes only after {@code fall} consecutive down results or {@code rise} consecutive up results.
 *
 * <pre>
 * reported  result  then
 * UNKNOWN   up      UP
 * UNKNOWN   down    DOWN
 * UP        up      UP,   streak reset
 * UP        down    streak + 1; DOWN when the streak reaches fall
 * DOWN      down    DOWN, streak reset
 * DOWN      up      streak + 1; UP when the streak reaches rise
 * </pre>
 *
 * Not thread-safe: one owner records results.
 */
public final class ProbeState {
    private final int rise;
    private final int fall;
    private boolean known;
    private boolean up;
    private int streak;

    public ProbeState(int rise, int fall) {
        if (rise < 1) {
            throw new IllegalArgumentException("rise must be at least 1, was " + rise);
        }
        if (fall < 1) {
            throw new IllegalArgumentException("fall must be at least 1, was " + fall);
        }
        this.rise = rise;
        this.fall = fall;
    }

    /** Records one check result; returns true when the reported state changed (always for the first result). */
    public boolean record(boolean resultUp) {
        if (!known) {
            known = true;
            up = resultUp;
            return true;
        }
        if (resultUp == up) {
            streak = 0;
            return false;
        }
        streak++;
        if (streak < (up ? fall : rise)) {
            return false;
        }
        up = resultUp;
        streak = 0;
        return true;
    }

    /** The reported state: true only when known and up. */
    public boolean up() {
        return known && up;
    }

    /** False until the first result. */
    public boolean known() {
        return known;
    }

    @Override
    public String toString() {
        String state = !known ? "UNKNOWN" : up ? "UP" : "DOWN";
        return state + " (streak " + streak + ", rise " + rise + ", fall " + fall + ")";
    }
}
