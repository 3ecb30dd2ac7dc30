package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The majority of the configured Sentinels: counted over all of them, the unreachable ones against. */
class SentinelVotesTest {
    private static final String A = "192.0.2.11:6379";
    private static final String B = "192.0.2.12:6379";

    @Test
    void twoOfThreeIsAMajority() {
        SentinelVotes votes = SentinelVotes.count(Arrays.asList(A, A, B));
        assertEquals(new SentinelVotes(A, 2, 3, 3), votes);
        assertTrue(votes.majority());
    }

    @Test
    void unreachableSentinelsCountAgainst() {
        SentinelVotes votes = SentinelVotes.count(Arrays.asList(A, null, null));
        assertEquals(new SentinelVotes(A, 1, 1, 3), votes);
        assertFalse(votes.majority(), "the one answering Sentinel is not a majority of three");
    }

    @Test
    void aSentinelThatKnowsNoSuchMasterCountsAgainst() {
        assertFalse(SentinelVotes.count(Arrays.asList(A, "", null)).majority());
        SentinelVotes none = SentinelVotes.count(Arrays.asList("", ""));
        assertNull(none.master());
        assertEquals(2, none.answered());
        assertFalse(none.majority());
    }

    @Test
    void halfIsNoMajority() {
        assertFalse(SentinelVotes.count(Arrays.asList(A, B)).majority());
        assertFalse(SentinelVotes.count(Arrays.asList(A, A, B, B)).majority());
        assertTrue(SentinelVotes.count(Arrays.asList(A, A, A, B)).majority());
        assertEquals(A, SentinelVotes.count(Arrays.asList(A, B)).master(), "a tie goes to the first named, without a majority");
    }

    @Test
    void majorityOfTheConfigured() {
        assertEquals(1, SentinelVotes.majorityOf(1));
        assertEquals(2, SentinelVotes.majorityOf(2));
        assertEquals(2, SentinelVotes.majorityOf(3));
        assertEquals(3, SentinelVotes.majorityOf(4));
        assertEquals(3, SentinelVotes.majorityOf(5));
    }

    @Test
    void impossibleCountsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SentinelVotes(A, 2, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> new SentinelVotes(null, 1, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> new SentinelVotes(A, 1, 4, 3));
    }

    /** A majority is exactly more than half of all configured naming the master; no two addresses can both have one. */
    @Property
    void aMajorityIsMoreThanHalfOfTheConfigured(@ForAll("answers") List<String> answers) {
        SentinelVotes votes = SentinelVotes.count(answers);
        long naming = votes.master() == null ? 0 : answers.stream().filter(votes.master()::equals).count();
        assertEquals(naming, votes.agreeing());
        assertEquals(answers.size(), votes.configured());
        assertEquals(votes.majority(), votes.master() != null && 2 * naming > answers.size());
        for (String other : List.of(A, B)) {
            long n = answers.stream().filter(other::equals).count();
            assertTrue(n <= votes.agreeing(), "the master is the most named");
        }
    }

    /** A Sentinel that stops answering never creates a majority, and never moves it to another master. */
    @Property
    void losingASentinelNeverHelps(@ForAll("answers") List<String> answers) {
        SentinelVotes before = SentinelVotes.count(answers);
        for (int i = 0; i < answers.size(); i++) {
            List<String> fewer = new ArrayList<>(answers);
            fewer.set(i, null);
            SentinelVotes after = SentinelVotes.count(fewer);
            if (after.majority()) {
                assertTrue(before.majority(), "a majority appeared when " + i + " stopped answering");
                assertEquals(before.master(), after.master());
            }
        }
    }

    @Provide
    Arbitrary<List<String>> answers() {
        return Arbitraries.of(A, B, "", null).list().ofMinSize(1).ofMaxSize(7);
    }
}
