package org.omnileads.omlha.vrrp.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnileads.omlha.vrrp.packet.TestBytes.hex;
import static org.omnileads.omlha.vrrp.packet.TestBytes.ip;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.vrrp.packet.AdvertValidator.Verdict;

class AdvertValidatorTest {
    static final InetAddress ME = ip("192.0.2.1");
    static final InetAddress PEER = ip("192.0.2.2");
    static final InetAddress VIP = ip("192.0.2.100");
    static final InetAddress VIP2 = ip("192.0.2.101");

    static final VrrpPacket OURS_V3 = VrrpPacket.v3(51, 150, 100, List.of(VIP));
    static final AdvertValidator MULTICAST_V3 =
            new AdvertValidator(GroupExpectations.of(OURS_V3, Set.of(), Set.of(ME)));

    static final VrrpPacket OURS_V2 = VrrpPacket.v2(51, 150, 1, List.of(VIP), "secret");
    static final AdvertValidator MULTICAST_V2 =
            new AdvertValidator(GroupExpectations.of(OURS_V2, Set.of(), Set.of(ME)));

    static final AdvertValidator UNICAST_V3 =
            new AdvertValidator(GroupExpectations.of(OURS_V3, Set.of(PEER, ip("192.0.2.3")), Set.of(ME)));

    @Test
    void acceptsTheAdvertTheGroupWouldSend() {
        VrrpPacket theirs = OURS_V3.withPriority(100);
        assertVerdict(Verdict.ACCEPT, "accepted", MULTICAST_V3, theirs, PEER, 255);
        assertVerdict(Verdict.ACCEPT, "accepted", MULTICAST_V2, OURS_V2.withPriority(100), PEER, 255);
        assertTrue(Verdict.ACCEPT.accepted());
        assertNull(Verdict.ACCEPT.dropReason());
    }

    @Test
    void addressListMismatchIsAcceptedAndReported() {
        VrrpPacket twoVips = VrrpPacket.v3(51, 100, 100, List.of(VIP, VIP2));
        assertVerdict(Verdict.ACCEPT_ADDRESS_MISMATCH,
                "accepted, addresses [192.0.2.100, 192.0.2.101], expected [192.0.2.100]",
                MULTICAST_V3, twoVips, PEER, 255);
        assertVerdict(Verdict.ACCEPT_ADDRESS_MISMATCH, "accepted, addresses [], expected [192.0.2.100]",
                MULTICAST_V3, VrrpPacket.v3(51, 100, 100, List.of()), PEER, 255);
        assertTrue(Verdict.ACCEPT_ADDRESS_MISMATCH.accepted());
        assertTrue(Verdict.ACCEPT_ADDRESS_MISMATCH.addressMismatch());
    }

    @Test
    void addressesCompareAsASet() {
        AdvertValidator twoVips = new AdvertValidator(
                GroupExpectations.of(VrrpPacket.v3(51, 150, 100, List.of(VIP, VIP2)), Set.of(), Set.of(ME)));
        assertEquals(Verdict.ACCEPT, twoVips.check(VrrpPacket.v3(51, 100, 100, List.of(VIP2, VIP)), PEER, 255));
        assertEquals(Verdict.ACCEPT_ADDRESS_MISMATCH,
                twoVips.check(VrrpPacket.v3(51, 100, 100, List.of(VIP, VIP)), PEER, 255));
    }

    @Test
    void vrrpV3IntervalMismatchIsAcceptedBecauseTheBackupFollowsTheMaster() {
        assertVerdict(Verdict.ACCEPT_INTERVAL_MISMATCH,
                "accepted, advert interval 200cs, configured 100cs (following the master's)",
                MULTICAST_V3, VrrpPacket.v3(51, 100, 200, List.of(VIP)), PEER, 255);
        assertVerdict(Verdict.ACCEPT_ADDRESS_AND_INTERVAL_MISMATCH,
                "accepted, addresses [192.0.2.101], expected [192.0.2.100]; "
                        + "advert interval 200cs, configured 100cs (following the master's)",
                MULTICAST_V3, VrrpPacket.v3(51, 100, 200, List.of(VIP2)), PEER, 255);
        assertTrue(Verdict.ACCEPT_ADDRESS_AND_INTERVAL_MISMATCH.intervalMismatch());
    }

    @Test
    void vrrpV2IntervalMismatchIsDropped() {
        assertVerdict(Verdict.DROP_INTERVAL_MISMATCH, "advert interval 2s, expected 1s",
                MULTICAST_V2, VrrpPacket.v2(51, 100, 2, List.of(VIP), "secret"), PEER, 255);
    }

    @Test
    void otherVersionIsDropped() {
        assertVerdict(Verdict.DROP_BAD_VERSION, "VRRPv2 advert, the group speaks VRRPv3",
                MULTICAST_V3, OURS_V2, PEER, 255);
    }

    @Test
    void otherVridIsDropped() {
        assertVerdict(Verdict.DROP_UNKNOWN_VRID, "vrid 52, expected 51",
                MULTICAST_V3, VrrpPacket.v3(52, 100, 100, List.of(VIP)), PEER, 255);
    }

    @Test
    void otherFamilyIsDropped() {
        assertVerdict(Verdict.DROP_WRONG_FAMILY, "IPv6 advert from fe80:0:0:0:0:0:0:2 for an IPv4 group",
                MULTICAST_V3, VrrpPacket.v3(51, 100, 100, List.of(ip("2001:db8::100"))), ip("fe80::2"), 255);
    }

    @Test
    void ourOwnAdvertIsDropped() {
        assertVerdict(Verdict.DROP_OWN_PACKET, "advert from 192.0.2.1, one of our own addresses",
                MULTICAST_V3, OURS_V3, ME, 255);
        assertEquals(Verdict.DROP_OWN_PACKET, UNICAST_V3.check(OURS_V3, ME, 1));
    }

    @Test
    void unicastAcceptsOnlyConfiguredPeersWhateverTheirTtl() {
        assertVerdict(Verdict.DROP_NOT_FROM_PEER, "advert from 192.0.2.9, not a unicast peer [192.0.2.2, 192.0.2.3]",
                UNICAST_V3, OURS_V3, ip("192.0.2.9"), 255);
        assertEquals(Verdict.ACCEPT, UNICAST_V3.check(OURS_V3, PEER, 62));
    }

    @Test
    void multicastNeedsTtlOrHopLimit255() {
        assertVerdict(Verdict.DROP_BAD_TTL, "TTL 64, expected 255", MULTICAST_V3, OURS_V3, PEER, 64);
        AdvertValidator ipv6 = new AdvertValidator(GroupExpectations.of(
                VrrpPacket.v3(51, 150, 100, List.of(ip("2001:db8::100"))), Set.of(), Set.of(ip("fe80::1"))));
        assertVerdict(Verdict.DROP_BAD_TTL, "hop limit 1, expected 255",
                ipv6, VrrpPacket.v3(51, 100, 100, List.of(ip("2001:db8::100"))), ip("fe80::2"), 1);
    }

    @Test
    void vrrpV2AuthenticationMustMatch() {
        assertVerdict(Verdict.DROP_AUTH_MISMATCH, "auth data differs (auth type 1)",
                MULTICAST_V2, VrrpPacket.v2(51, 100, 1, List.of(VIP), "secreT"), PEER, 255);
        assertVerdict(Verdict.DROP_AUTH_MISMATCH, "auth type 0, expected 1",
                MULTICAST_V2, VrrpPacket.v2(51, 100, 1, List.of(VIP), null), PEER, 255);
        // Only the first 8 bytes travel, so longer passwords that share them match.
        assertEquals(Verdict.ACCEPT, new AdvertValidator(GroupExpectations.of(
                        VrrpPacket.v2(51, 150, 1, List.of(VIP), "omnileads-one"), Set.of(), Set.of(ME)))
                .check(VrrpPacket.v2(51, 100, 1, List.of(VIP), "omnileads-two"), PEER, 255));
    }

    @Test
    void withoutAuthenticationTheAuthDataIsIgnored() {
        AdvertValidator noAuth = new AdvertValidator(
                GroupExpectations.of(VrrpPacket.v2(51, 150, 1, List.of(VIP), null), Set.of(), Set.of(ME)));
        VrrpPacket junkData = new VrrpPacket(2, 51, 100, 1, List.of(VIP), 0, hex("01 02 03 04 05 06 07 08"));
        assertEquals(Verdict.ACCEPT, noAuth.check(junkData, PEER, 255));
    }

    @Test
    void everyDropVerdictNamesItsReason() {
        for (Verdict v : Verdict.values()) {
            assertEquals(v.name().startsWith("DROP_"), !v.accepted(), v.name());
            if (!v.accepted()) {
                assertEquals("DROP_" + v.dropReason().name(), v.name());
            }
        }
    }

    @Test
    void expectationsCopyAndHideTheirAuthData() {
        GroupExpectations e = GroupExpectations.of(OURS_V2, Set.of(), Set.of(ME));
        GroupExpectations same =
                GroupExpectations.of(VrrpPacket.v2(51, 150, 1, List.of(VIP), "secret"), Set.of(), Set.of(ME));
        assertEquals(e, same);
        assertEquals(e.hashCode(), same.hashCode());
        assertNotEquals(e, GroupExpectations.of(OURS_V2, Set.of(PEER), Set.of(ME)));
        e.authData()[0] = 0;
        assertEquals("7365637265740000", hex(e.authData()));
        assertFalse(e.toString().contains("secret"));
        assertFalse(e.unicast());
        assertTrue(GroupExpectations.of(OURS_V2, Set.of(PEER), Set.of(ME)).unicast());
        assertThrows(IllegalArgumentException.class, () -> new GroupExpectations(3, 0, 100, Set.of(VIP), 0,
                new byte[0], false, Set.of(), Set.of()));
    }

    private static void assertVerdict(Verdict expected, String explanation, AdvertValidator validator,
                                      VrrpPacket advert, InetAddress src, int ttl) {
        Verdict v = validator.check(advert, src, ttl);
        assertEquals(expected, v);
        assertEquals(explanation, validator.explain(v, advert, src, ttl));
    }
}
