package org.omnileads.omlha.vip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.omnileads.omlha.vip.Bytes.assertHex;
import static org.omnileads.omlha.vip.Bytes.hex;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class AnnouncementFramesTest {
    private static final byte[] MAC = hex("021122334455");

    @Test
    void gratuitousArpRequestTargetsTheBroadcastAddress() {
        ByteBuffer out = ByteBuffer.allocate(AnnouncementFrames.ARP_LENGTH);
        AnnouncementFrames.arp(out, AnnouncementFrames.ARP_REQUEST, MAC, hex("c0000264"));
        assertHex("""
                0001 0800 06 04 0001
                021122334455 c0000264
                ffffffffffff c0000264""", out);
    }

    @Test
    void gratuitousArpReplyNamesTheSenderAsTarget() {
        ByteBuffer out = ByteBuffer.allocate(AnnouncementFrames.ARP_LENGTH);
        AnnouncementFrames.arp(out, AnnouncementFrames.ARP_REPLY, MAC, hex("c0000264"));
        assertHex("""
                0001 0800 06 04 0002
                021122334455 c0000264
                021122334455 c0000264""", out);
    }

    @Test
    void unsolicitedNeighbourAdvertisementOverridesWithTargetLinkLayerAddress() {
        ByteBuffer out = ByteBuffer.allocate(AnnouncementFrames.NA_LENGTH);
        AnnouncementFrames.neighborAdvertisement(out, MAC, hex("20010db8000000000000000000000010"));
        assertHex("""
                88 00 0000 20 000000
                20010db8000000000000000000000010
                02 01 021122334455""", out);
    }

    @Test
    void rejectsAddressesOfTheWrongLength() {
        ByteBuffer out = ByteBuffer.allocate(AnnouncementFrames.NA_LENGTH);
        assertThrows(IllegalArgumentException.class, () -> AnnouncementFrames.arp(out, 1, MAC, new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> AnnouncementFrames.neighborAdvertisement(out, new byte[8], new byte[16]));
    }
}
