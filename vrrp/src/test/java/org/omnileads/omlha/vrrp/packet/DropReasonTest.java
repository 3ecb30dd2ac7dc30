package org.omnileads.omlha.vrrp.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnileads.omlha.vrrp.packet.TestBytes.decode;
import static org.omnileads.omlha.vrrp.packet.TestBytes.hex;
import static org.omnileads.omlha.vrrp.packet.TestBytes.ip;
import static org.omnileads.omlha.vrrp.packet.VrrpCodecVectorsTest.GROUP4;
import static org.omnileads.omlha.vrrp.packet.VrrpCodecVectorsTest.SRC4;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every drop reason, produced by the codec or the validator, with its exact message. The switch has no
 * default: a new {@link DropReason} does not compile until it has a case here.
 */
class DropReasonTest {
    static final InetAddress PEER = ip("192.0.2.2");
    static final AdvertValidator GROUP = new AdvertValidator(GroupExpectations.of(
            VrrpPacket.v2(51, 150, 1, List.of(ip("192.0.2.100")), "secret"), Set.of(), Set.of(SRC4)));
    static final AdvertValidator UNICAST_GROUP = new AdvertValidator(GroupExpectations.of(
            VrrpPacket.v2(51, 150, 1, List.of(ip("192.0.2.100")), "secret"), Set.of(PEER), Set.of(SRC4)));

    record Dropped(DropReason reason, String message) {
    }

    @ParameterizedTest
    @EnumSource(DropReason.class)
    void everyReasonIsProducedWithAPreciseMessage(DropReason reason) {
        Dropped expected = new Dropped(reason, switch (reason) {
            case MALFORMED -> "incomplete header: 5 bytes (expected: 8+ bytes)";
            case BAD_VERSION -> "unsupported version 4";
            case BAD_TYPE -> "unsupported type 2 (expected: 1, ADVERTISEMENT)";
            case BAD_LENGTH -> "bad length 10 bytes (expected: 12 bytes for VRRPv3 with 1 IPv4 address)";
            case BAD_ADDRESS_COUNT -> "address count 2 needs 16 bytes but the message has 12 (room for 1 IPv4 address)";
            case BAD_CHECKSUM -> "bad checksum 0x1a2b, expected 0xd371";
            case BAD_TTL -> "TTL 64, expected 255";
            case AUTH_MISMATCH -> "auth data differs (auth type 1)";
            case UNKNOWN_VRID -> "vrid 52, expected 51";
            case INTERVAL_MISMATCH -> "advert interval 3s, expected 1s";
            case WRONG_FAMILY -> "VRRPv2 over IPv6 (VRRPv2 is IPv4 only)";
            case NOT_FROM_PEER -> "advert from 192.0.2.9, not a unicast peer [192.0.2.2]";
            case OWN_PACKET -> "advert from 192.0.2.1, one of our own addresses";
        });
        assertEquals(expected, produce(reason));
    }

    @ParameterizedTest
    @EnumSource(DropReason.class)
    void labelIsAPrometheusFriendlyName(DropReason reason) {
        assertEquals(reason.name().toLowerCase(Locale.ROOT), reason.label());
        assertTrue(reason.label().matches("[a-z_]+"));
    }

    private static Dropped produce(DropReason reason) {
        VrrpPacket pass = VrrpPacket.v2(51, 100, 1, List.of(ip("192.0.2.100")), "secret");
        return switch (reason) {
            case MALFORMED -> codec(() -> decode(hex("31 33 96 01 00"), SRC4, GROUP4));
            case BAD_VERSION -> codec(() -> decode(hex("41 33 96 01 00 64 d3 71 c0 00 02 64"), SRC4, GROUP4));
            case BAD_TYPE -> codec(() -> decode(hex("32 33 96 01 00 64 d3 71 c0 00 02 64"), SRC4, GROUP4));
            case BAD_LENGTH -> codec(() -> decode(hex("31 33 96 01 00 64 d3 71 c0 00"), SRC4, GROUP4));
            case BAD_ADDRESS_COUNT -> codec(() -> decode(hex("31 33 96 02 00 64 d3 71 c0 00 02 64"), SRC4, GROUP4));
            case BAD_CHECKSUM -> codec(() -> decode(hex("31 33 96 01 00 64 1a 2b c0 00 02 64"), SRC4, GROUP4));
            case WRONG_FAMILY -> codec(() -> VrrpCodec.decode(ByteBuffer.wrap(VrrpCodecVectorsTest.V2_PASS),
                    ip("fe80::1"), ip("ff02::12")));
            case BAD_TTL -> validator(GROUP, pass, PEER, 64);
            case AUTH_MISMATCH -> validator(GROUP, VrrpPacket.v2(51, 100, 1, List.of(ip("192.0.2.100")), "Secret"),
                    PEER, 255);
            case UNKNOWN_VRID -> validator(GROUP, VrrpPacket.v2(52, 100, 1, List.of(ip("192.0.2.100")), "secret"),
                    PEER, 255);
            case INTERVAL_MISMATCH -> validator(GROUP,
                    VrrpPacket.v2(51, 100, 3, List.of(ip("192.0.2.100")), "secret"), PEER, 255);
            case NOT_FROM_PEER -> validator(UNICAST_GROUP, pass, ip("192.0.2.9"), 255);
            case OWN_PACKET -> validator(GROUP, pass, SRC4, 255);
        };
    }

    private static Dropped codec(Executable decode) {
        VrrpCodecException e = assertThrows(VrrpCodecException.class, decode);
        return new Dropped(e.reason(), e.getMessage());
    }

    private static Dropped validator(AdvertValidator v, VrrpPacket p, InetAddress src, int ttl) {
        AdvertValidator.Verdict verdict = v.check(p, src, ttl);
        return new Dropped(verdict.dropReason(), v.explain(verdict, p, src, ttl));
    }
}
