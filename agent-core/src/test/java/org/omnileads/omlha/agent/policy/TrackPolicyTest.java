package org.omnileads.omlha.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.config.Track;

class TrackPolicyTest {

    @Test
    void aNegativeWeightCountsWhileTheProbeIsDown() {
        List<Track> tracks = List.of(new Track("asterisk", -60));
        assertEquals(new TrackPolicy.Outcome(150, null), TrackPolicy.evaluate(150, tracks, Map.of("asterisk", true)));
        assertEquals(new TrackPolicy.Outcome(90, null), TrackPolicy.evaluate(150, tracks, Map.of("asterisk", false)));
    }

    @Test
    void aPositiveWeightCountsWhileTheProbeIsUp() {
        List<Track> tracks = List.of(new Track("web", 20));
        assertEquals(120, TrackPolicy.evaluate(100, tracks, Map.of("web", true)).priority());
        assertEquals(100, TrackPolicy.evaluate(100, tracks, Map.of("web", false)).priority());
    }

    @Test
    void weightZeroIsFaultWhileDownAndAProbeWithoutResultCountsAsUp() {
        List<Track> tracks = List.of(new Track("haproxy", 0));
        assertNull(TrackPolicy.evaluate(100, tracks, Map.of("haproxy", true)).faultReason());
        assertEquals("probe haproxy down", TrackPolicy.evaluate(100, tracks, Map.of("haproxy", false)).faultReason());
        assertNull(TrackPolicy.evaluate(100, tracks, Map.of()).faultReason());
        assertEquals(100, TrackPolicy.evaluate(100, List.of(new Track("haproxy", -50)), Map.of()).priority());
    }

    @Test
    void theOwnerIsNeverReweightedButCanFault() {
        List<Track> tracks = List.of(new Track("a", -100), new Track("b", 0));
        TrackPolicy.Outcome outcome = TrackPolicy.evaluate(255, tracks, Map.of("a", false, "b", false));
        assertEquals(255, outcome.priority());
        assertEquals("probe b down", outcome.faultReason());
    }

    @Property
    void theEffectivePriorityStaysWithinOneTo254(@ForAll @IntRange(min = 1, max = 254) int base,
                                                 @ForAll @IntRange(min = -254, max = 254) int w1, @ForAll boolean up1,
                                                 @ForAll @IntRange(min = -254, max = 254) int w2, @ForAll boolean up2) {
        int priority = TrackPolicy.evaluate(base, List.of(new Track("p1", w1), new Track("p2", w2)),
                Map.of("p1", up1, "p2", up2)).priority();
        assertTrue(priority >= 1 && priority <= 254, "priority " + priority);
    }
}
