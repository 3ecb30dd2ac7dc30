package org.omnileads.omlha.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.config.Follow;
import org.omnileads.omlha.probes.PostgresFacts;
import org.omnileads.omlha.probes.ProbeResult;

class FollowPolicyTest {
    private static FollowPolicy.Database db(String name, String role, int timeline) {
        return new FollowPolicy.Database(name, ProbeResult.up(1, "ok").withFacts(facts(role, timeline, true)));
    }

    private static PostgresFacts facts(String role, long timeline, boolean lagOk) {
        return new PostgresFacts(PostgresFacts.Role.valueOf(role.toUpperCase(Locale.ROOT)), timeline, "0/3000060", null, null, null,
                false, lagOk);
    }

    private static final FollowPolicy.Database DOWN =
            new FollowPolicy.Database("pg", ProbeResult.down(1, "connection refused by 127.0.0.1:5432"));

    @Test
    void readWriteOnlyOnThePrimary() {
        assertNull(FollowPolicy.evaluate(Follow.Role.PRIMARY, 150, db("pg", "primary", 1), List.of()).faultReason());
        assertEquals("database is a standby, not the primary",
                FollowPolicy.evaluate(Follow.Role.PRIMARY, 150, db("pg", "standby", 1), List.of()).faultReason());
    }

    @Test
    void neitherVipOnAnUnreachableOrUnknownDatabase() {
        for (Follow.Role role : Follow.Role.values()) {
            assertTrue(FollowPolicy.evaluate(role, 150, DOWN, List.of()).faultReason().contains("unreachable: connection refused"));
            assertTrue(FollowPolicy.evaluate(role, 150, new FollowPolicy.Database("pg", null), List.of()).faultReason()
                    .contains("no result yet"));
        }
    }

    @Test
    void readOnlyPrefersAHealthyStandbyAndFallsBackToThePrimary() {
        FollowPolicy.Outcome standby = FollowPolicy.evaluate(Follow.Role.STANDBY, 150, db("pg", "standby", 2), List.of());
        FollowPolicy.Outcome primary = FollowPolicy.evaluate(Follow.Role.STANDBY, 150, db("pg", "primary", 2), List.of());
        assertNull(standby.faultReason());
        assertNull(primary.faultReason());
        assertTrue(standby.priority() > primary.priority(), "a healthy standby always outranks the primary's fallback");
        FollowPolicy.Database lagging = new FollowPolicy.Database("pg", ProbeResult.up(1, "replay lag 1 MB over max-lag-bytes")
                .withFacts(facts("standby", 2, false)));
        assertTrue(FollowPolicy.evaluate(Follow.Role.STANDBY, 150, lagging, List.of()).faultReason().startsWith("standby lags"));
    }

    @Test
    void aPrimaryOnAnOlderTimelineThanAPeerPrimaryIsStaleAndHoldsNeither() {
        List<FollowPolicy.Database> peers = List.of(db("pg@192.0.2.12", "primary", 2));
        for (Follow.Role role : Follow.Role.values()) {
            FollowPolicy.Outcome outcome = FollowPolicy.evaluate(role, 150, db("pg", "primary", 1), peers);
            assertTrue(outcome.stalePrimary());
            assertEquals("stale primary: pg@192.0.2.12 is primary on timeline 2, we are on timeline 1", outcome.faultReason());
        }
        FollowPolicy.Outcome newest = FollowPolicy.evaluate(Follow.Role.PRIMARY, 150, db("pg", "primary", 2),
                List.of(db("pg@192.0.2.11", "primary", 1)));
        assertFalse(newest.stalePrimary());
        assertNull(newest.faultReason(), "the primary on the newest timeline keeps RW");
        assertNull(FollowPolicy.evaluate(Follow.Role.PRIMARY, 150, db("pg", "primary", 2),
                List.of(new FollowPolicy.Database("pg@192.0.2.12", null))).faultReason(), "an unreachable peer proves nothing");
    }

    @Test
    void theDatabaseNamesTheRightfulHolderOfEachVip() {
        assertTrue(FollowPolicy.evaluate(Follow.Role.PRIMARY, 150, db("pg", "primary", 2), List.of()).rightful(),
                "a primary that is not stale takes RW without waiting when no live master is heard");
        assertFalse(FollowPolicy.evaluate(Follow.Role.PRIMARY, 150, db("pg", "primary", 1), List.of(db("pg@192.0.2.12", "primary", 2)))
                .rightful(), "a stale primary is nobody's rightful holder");
        assertTrue(FollowPolicy.evaluate(Follow.Role.STANDBY, 150, db("pg", "standby", 2), List.of()).rightful());
        assertTrue(FollowPolicy.evaluate(Follow.Role.STANDBY, 150, db("pg", "primary", 2), List.of(DOWN)).rightful(),
                "RO falls back to the primary at once when no standby is healthy");
        assertFalse(FollowPolicy.evaluate(Follow.Role.STANDBY, 150, db("pg", "primary", 2), List.of(db("pg@192.0.2.12", "standby", 2)))
                .rightful(), "with a healthy standby the primary's RO is only the last resort");
    }

    @Test
    void aReadWriteVipLeavesAtOnceWhenItsDatabaseStopsBeingThePrimaryAndReadOnlyHandsOver() {
        for (FollowPolicy.Database notPrimary : List.of(DOWN, db("pg", "standby", 2), new FollowPolicy.Database("pg", null))) {
            assertTrue(FollowPolicy.evaluate(Follow.Role.PRIMARY, 150, notPrimary, List.of()).releaseAtOnce(), notPrimary.toString());
            assertFalse(FollowPolicy.evaluate(Follow.Role.STANDBY, 150, notPrimary.equals(DOWN) ? DOWN : db("pg", "standby", 2),
                    List.of()).releaseAtOnce());
        }
        assertTrue(FollowPolicy.evaluate(Follow.Role.PRIMARY, 150, db("pg", "primary", 1), List.of(db("pg@192.0.2.12", "primary", 2)))
                .releaseAtOnce(), "a stale primary lets RW go at once");
        assertFalse(FollowPolicy.evaluate(Follow.Role.PRIMARY, 150, db("pg", "primary", 2), List.of()).releaseAtOnce());
    }
}
