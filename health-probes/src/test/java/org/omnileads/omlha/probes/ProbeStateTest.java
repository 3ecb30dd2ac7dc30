package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ProbeStateTest {

    @Test
    void startsUnknownAndTheFirstResultDecidesAtOnce() {
        ProbeState up = new ProbeState(3, 3);
        assertFalse(up.known());
        assertFalse(up.up());
        assertTrue(up.record(true));
        assertTrue(up.known());
        assertTrue(up.up());

        ProbeState down = new ProbeState(3, 3);
        assertTrue(down.record(false));
        assertTrue(down.known());
        assertFalse(down.up());
    }

    @Test
    void goesDownAfterFallConsecutiveFailuresOnly() {
        ProbeState state = new ProbeState(2, 3);
        state.record(true);
        assertFalse(state.record(false));
        assertFalse(state.record(false));
        assertFalse(state.record(true), "a success resets the streak");
        assertFalse(state.record(false));
        assertFalse(state.record(false));
        assertTrue(state.up());
        assertTrue(state.record(false));
        assertFalse(state.up());
    }

    @Test
    void comesBackAfterRiseConsecutiveSuccessesOnly() {
        ProbeState state = new ProbeState(2, 1);
        state.record(false);
        assertFalse(state.record(true));
        assertFalse(state.record(false), "a failure resets the streak");
        assertFalse(state.record(true));
        assertTrue(state.record(true));
        assertTrue(state.up());
    }

    @Test
    void riseAndFallOfOneFollowEveryResult() {
        ProbeState state = new ProbeState(1, 1);
        state.record(true);
        assertTrue(state.record(false));
        assertFalse(state.record(false));
        assertTrue(state.record(true));
    }

    @Test
    void rejectsRiseOrFallBelowOne() {
        assertEquals("rise must be at least 1, was 0",
                assertThrows(IllegalArgumentException.class, () -> new ProbeState(0, 1)).getMessage());
        assertEquals("fall must be at least 1, was -2",
                assertThrows(IllegalArgumentException.class, () -> new ProbeState(1, -2)).getMessage());
    }

    /** After the first result, a change happens exactly when the last rise (or fall) results all disagree with the old state. */
    @Property
    void changesExactlyAtTheEndOfARunOfRiseOrFall(@ForAll @IntRange(min = 1, max = 5) int rise,
                                                  @ForAll @IntRange(min = 1, max = 5) int fall,
                                                  @ForAll @Size(min = 1, max = 60) List<Boolean> results) {
        ProbeState state = new ProbeState(rise, fall);
        assertTrue(state.record(results.get(0)));
        boolean reported = results.get(0);
        int run = 0;
        for (int i = 1; i < results.size(); i++) {
            boolean result = results.get(i);
            run = result == reported ? 0 : run + 1;
            boolean changed = state.record(result);
            int needed = reported ? fall : rise;
            assertEquals(run == needed, changed, "result " + i + " of " + results);
            if (changed) {
                reported = result;
                run = 0;
            }
            assertEquals(reported, state.up());
            assertTrue(run < needed || changed, "a run shorter than rise/fall never changes the state");
        }
    }
}
