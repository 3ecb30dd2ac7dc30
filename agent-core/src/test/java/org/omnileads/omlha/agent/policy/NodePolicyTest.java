package org.omnileads.omlha.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.config.Follow;
import org.omnileads.omlha.agent.config.Track;
import org.omnileads.omlha.probes.PostgresFacts;
import org.omnileads.omlha.probes.ProbeResult;

class NodePolicyTest {
    private static final int ETH0 = 2;
    private static final int ETH1 = 3;

    private static GroupRules group(String name, int ifIndex, int priority, Track... tracks) {
        return new GroupRules(name, ifIndex == ETH0 ? "eth0" : "eth1", ifIndex, priority, List.of(tracks), Optional.empty());
    }

    private static NodeFacts facts() {
        NodeFacts facts = new NodeFacts();
        facts.setProbes(Set.of("svc", "web"), Map.of(), Set.of());
        return facts;
    }

    @Test
    void aDownLinkIsFaultBeforeAnyOtherReason() {
        NodeFacts facts = facts();
        facts.setProbeUp("svc", false);
        facts.setLinkUp(ETH0, false);
        GroupDecision decision = NodePolicy.decide(group("a", ETH0, 150, new Track("svc", 0)), facts);
        assertEquals("interface eth0 down", decision.faultReason());
        assertTrue(decision.releaseAtOnce(), "the link's own FAULT releases at once");
        facts.setLinkUp(ETH0, true);
        GroupDecision probe = NodePolicy.decide(group("a", ETH0, 150, new Track("svc", 0)), facts);
        assertEquals("probe svc down", probe.faultReason());
        assertFalse(probe.releaseAtOnce(), "a probe's FAULT hands over");
    }

    @Test
    void aSyncGroupsFaultHandsOverEvenWhenTheCauseIsALink() {
        NodeFacts facts = facts();
        facts.setLinkUp(ETH1, false);
        Map<String, GroupDecision> decisions = NodePolicy.decide(List.of(group("web", ETH0, 150), group("db", ETH1, 150)), facts,
                Map.of("omni", List.of("web", "db")));
        assertTrue(decisions.get("db").releaseAtOnce());
        assertFalse(decisions.get("web").releaseAtOnce(), "web's own link is up: it can still serve while handing over");
    }

    @Test
    void theOperatorsMaintenanceMarkIsPassedOnAndCleared() {
        NodeFacts facts = facts();
        assertFalse(NodePolicy.decide(group("a", ETH0, 150), facts).inMaintenance());
        assertTrue(facts.setMaintenance("a", new MaintenanceMark(true)));
        assertFalse(facts.setMaintenance("a", new MaintenanceMark(true)), "the same mark again changes nothing");
        GroupDecision marked = NodePolicy.decide(group("a", ETH0, 150), facts);
        assertEquals(new MaintenanceMark(true), marked.maintenance());
        assertNull(marked.faultReason(), "maintenance is not FAULT: the group stays BACKUP and follows the master");
        assertFalse(NodePolicy.decide(group("b", ETH0, 150), facts).inMaintenance(), "only the marked group");
        assertTrue(facts.setMaintenance("a", null));
        assertFalse(NodePolicy.decide(group("a", ETH0, 150), facts).inMaintenance());
    }

    @Test
    void onlyProbesTheAgentRunsWeigh() {
        NodeFacts facts = facts();
        facts.setProbeUp("svc", false);
        facts.setProbeUp("gone", false);
        GroupDecision decision = NodePolicy.decide(group("a", ETH0, 150, new Track("svc", -60), new Track("gone", -60)), facts);
        assertEquals(90, decision.priority());
        assertNull(decision.faultReason());
    }

    @Test
    void aSyncGroupMemberInFaultOfItsOwnTakesTheOthersWithItAndNamesItself() {
        NodeFacts facts = facts();
        facts.setLinkUp(ETH1, false);
        Map<String, GroupDecision> decisions = NodePolicy.decide(
                List.of(group("web", ETH0, 150), group("db", ETH1, 150), group("alone", ETH0, 150)), facts,
                Map.of("omni", List.of("web", "db")));
        assertEquals("interface eth1 down", decisions.get("db").faultReason(), "the member keeps its own reason");
        assertEquals("sync group omni: db in FAULT (interface eth1 down)", decisions.get("web").faultReason());
        assertNull(decisions.get("alone").faultReason(), "a group outside the sync group is not affected");
        assertEquals(List.of("web", "db", "alone"), List.copyOf(decisions.keySet()), "in the groups' order");
    }

    @Test
    void theReasonOfARecoveryIsToldByWhatHeldTheGroup() {
        assertEquals("interface eth0 up", GroupDecision.recoveredFrom("interface eth0 down"));
        assertEquals("tracked probes up again (probe svc down before)", GroupDecision.recoveredFrom("probe svc down"));
        assertEquals("sync group recovered (sync group omni: db in FAULT (x) before)",
                GroupDecision.recoveredFrom("sync group omni: db in FAULT (x)"));
        assertEquals("no longer in FAULT (database is a standby, not the primary before)",
                GroupDecision.recoveredFrom("database is a standby, not the primary"));
    }

    @Test
    void aReadWriteGroupIsRightfulOnThePrimaryAndLetsGoAtOnceOfADatabaseFaultButHandsOverAProbesFault() {
        NodeFacts facts = facts();
        facts.setProbes(Set.of("svc", "pg"), Map.of(), Set.of());
        GroupRules rw = new GroupRules("rw", "eth0", ETH0, 150, List.of(new Track("svc", 0)),
                Optional.of(new Follow("pg", Follow.Role.PRIMARY)));
        facts.setProbeUp("svc", true);
        facts.setDatabaseResult(DatabaseId.local("pg"), pg("primary"));
        GroupDecision primary = NodePolicy.decide(rw, facts);
        assertNull(primary.faultReason());
        assertTrue(primary.rightful(), "the primary takes RW without waiting when no live master is heard");

        facts.setProbeUp("svc", false);
        GroupDecision probeDown = NodePolicy.decide(rw, facts);
        assertEquals("probe svc down", probeDown.faultReason());
        assertFalse(probeDown.rightful());
        assertFalse(probeDown.releaseAtOnce(), "the database is still the primary: hand over without a gap");

        facts.setProbeUp("svc", true);
        facts.setDatabaseResult(DatabaseId.local("pg"), ProbeResult.down(1, "connection refused"));
        GroupDecision dbDown = NodePolicy.decide(rw, facts);
        assertTrue(dbDown.fault());
        assertTrue(dbDown.releaseAtOnce(), "RW is never on two nodes: no handover once the database is not the primary");
        assertFalse(dbDown.rightful());
    }

    @Test
    void aStalePrimaryStaysStaleWhenTheNewPrimaryBecomesUnreachable() {
        NodeFacts facts = facts();
        DatabaseId peer = DatabaseId.peer("pg", "192.0.2.12:5432");
        facts.setProbes(Set.of("pg"), Map.of("pg", List.of(peer)), Set.of());
        GroupRules rw = new GroupRules("rw", "eth0", ETH0, 150, List.of(), Optional.of(new Follow("pg", Follow.Role.PRIMARY)));
        facts.setDatabaseResult(DatabaseId.local("pg"), pg("primary", 1));
        facts.setDatabaseResult(peer, pg("primary", 2));
        assertTrue(NodePolicy.decide(rw, facts).fault(), "a peer is primary on a newer timeline: stale");

        facts.setDatabaseResult(peer, ProbeResult.down(1, "connection refused by 192.0.2.12:5432"));
        GroupDecision peerGone = NodePolicy.decide(rw, facts);
        assertEquals("stale primary: a peer was primary on timeline 2 (unreachable now), we are on timeline 1", peerGone.faultReason(),
                "the new primary died: RW must not go back to the old timeline");
        assertTrue(peerGone.database().stalePrimary());

        facts.setDatabaseResult(DatabaseId.local("pg"), pg("primary", 3));
        assertNull(NodePolicy.decide(rw, facts).faultReason(), "promoted again, past the timeline seen: the one true primary");
        facts.setProbes(Set.of("pg"), Map.of("pg", List.of(peer)), Set.of("pg"));
        assertEquals(-1, facts.newestPeerPrimaryTimeline("pg"), "a reload that changes the probe forgets it");
    }

    private static ProbeResult pg(String role, long timeline) {
        return ProbeResult.up(1, role).withFacts(new PostgresFacts(PostgresFacts.Role.valueOf(role.toUpperCase(Locale.ROOT)), timeline,
                "0/3000060", null, null, null, false, true));
    }

    private static ProbeResult pg(String role) {
        return ProbeResult.up(1, role).withFacts(new PostgresFacts(
                PostgresFacts.Role.valueOf(role.toUpperCase(Locale.ROOT)), 1, "0/3000060",
                null, null, null, false, true));
    }
}
