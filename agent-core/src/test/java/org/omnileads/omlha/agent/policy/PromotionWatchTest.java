package org.omnileads.omlha.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.policy.PromotionWatch.Action;
import org.omnileads.omlha.probes.PostgresFacts;
import org.omnileads.omlha.probes.ProbeResult;

class PromotionWatchTest {
    private static final DatabaseId LOCAL = DatabaseId.local("pg");
    private static final DatabaseId PEER = DatabaseId.peer("pg", "192.0.2.11:5432");
    private static final ProbeResult DOWN = ProbeResult.down(1, "connection refused by 192.0.2.11:5432");

    private static ProbeResult db(String role, boolean streaming) {
        return ProbeResult.up(1, role).withFacts(new PostgresFacts(PostgresFacts.Role.valueOf(role.toUpperCase(Locale.ROOT)), 1,
                "0/3000060", null, null, null, streaming, true));
    }

    @Test
    void aStandbyIsWatchedFromTheMomentItsPrimaryBecomesUnreachable() {
        PromotionWatch.Verdict verdict = PromotionWatch.onResult(PEER, db("primary", false), DOWN, db("standby", true));
        assertEquals(Action.START, verdict.action());
        assertEquals("peer database pg@192.0.2.11:5432 unreachable: connection refused by 192.0.2.11:5432", verdict.why());
        assertEquals(Action.START, PromotionWatch.onResult(PEER, null, DOWN, db("standby", true)).action(),
                "the first result already down: a standby started after its primary died");
    }

    @Test
    void onlyTheChangeStartsItNotAPrimaryThatStaysDead() {
        assertEquals(Action.NONE, PromotionWatch.onResult(PEER, DOWN, DOWN, db("standby", false)).action());
        assertEquals(Action.NONE, PromotionWatch.onResult(PEER, db("primary", false), db("primary", false), db("standby", true)).action());
        assertEquals(Action.NONE, PromotionWatch.onResult(LOCAL, db("standby", false), db("standby", false), db("standby", false)).action(),
                "a standby that never streamed (no pg_monitor) is not watched forever");
    }

    @Test
    void aPrimaryDemotedByASwitchoverOrAWalReceiverThatStoppedStartsIt() {
        assertEquals(Action.START, PromotionWatch.onResult(PEER, db("primary", false), db("standby", true), db("standby", true)).action());
        PromotionWatch.Verdict receiver = PromotionWatch.onResult(LOCAL, db("standby", true), db("standby", false), db("standby", false));
        assertEquals(Action.START, receiver.action());
        assertEquals("the standby's WAL receiver stopped streaming", receiver.why());
    }

    @Test
    void nothingIsWatchedOnAPrimaryOrAnUnknownDatabaseAndThePromotionEndsTheWatch() {
        assertEquals(Action.NONE, PromotionWatch.onResult(PEER, db("standby", true), DOWN, db("primary", false)).action());
        assertEquals(Action.NONE, PromotionWatch.onResult(PEER, db("primary", false), DOWN, null).action());
        assertEquals(Action.NONE, PromotionWatch.onResult(PEER, db("primary", false), DOWN, DOWN).action());
        assertEquals(Action.STOP, PromotionWatch.onResult(LOCAL, db("standby", false), db("primary", false), db("primary", false)).action());
    }

    @Test
    void theReadWriteMasterResigningOrAnEventStartsIt() {
        PromotionWatch.Verdict resigned = PromotionWatch.onReadWriteResigned("pgsql-rw", "192.0.2.11", db("standby", true));
        assertEquals(Action.START, resigned.action());
        assertEquals("192.0.2.11 resigned read-write group pgsql-rw", resigned.why());
        assertEquals(Action.NONE, PromotionWatch.onReadWriteResigned("pgsql-rw", "192.0.2.11", db("primary", false)).action());
        assertEquals("event standby_promote", PromotionWatch.onEvent(" standby_promote ").why());
        assertEquals("event", PromotionWatch.onEvent("").why());
    }
}
