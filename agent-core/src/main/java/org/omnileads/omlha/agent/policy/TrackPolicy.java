package org.omnileads.omlha.agent.policy;

import java.util.List;
import java.util.Map;
import org.omnileads.omlha.agent.config.Track;

/**
 * How the probes a group tracks set its effective priority and its FAULT (keepalived's track_script rules):
 * weight 0 and the probe down is FAULT; a negative weight counts while the probe is down, a
 * positive one while it is up; the sum is clamped to 1..254; an address owner (255) is never re-weighted. Pure.
 */
public final class TrackPolicy {
    private static final int OWNER_PRIORITY = 255;

    private TrackPolicy() {}

    /** The outcome for one group: its effective priority, and why it is in FAULT (null when it is not). */
    public record Outcome(int priority, String faultReason) {}

    /**
     * @param probeUp the probes' current states; a probe absent from the map has no result yet and counts as up,
     *     as keepalived assumes a script up until it fails (its first check runs at start, within milliseconds)
     */
    public static Outcome evaluate(int basePriority, List<Track> tracks, Map<String, Boolean> probeUp) {
        int priority = basePriority;
        String fault = null;
        for (Track track : tracks) {
            boolean up = probeUp.getOrDefault(track.probe(), true);
            if (track.weight() == 0) {
                if (!up && fault == null) {
                    fault = "probe " + track.probe() + " down";
                }
            } else if (track.weight() < 0 ? !up : up) {
                priority += track.weight();
            }
        }
        if (basePriority == OWNER_PRIORITY) {
            return new Outcome(OWNER_PRIORITY, fault);
        }
        return new Outcome(Math.max(1, Math.min(254, priority)), fault);
    }
}
