package org.omnileads.omlha.agent.config;

import org.omnileads.omlha.vip.VipAddress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class VipParsingTest {

    @Test
    void ipv4() throws Exception {
        VipAddress vip = Addresses.parseVip("192.0.2.100/24");
        assertEquals(new VipAddress(InetAddress.getByName("192.0.2.100"), 24), vip);
        assertTrue(vip.isIpv4());
        assertEquals("192.0.2.100/24", vip.toString());
    }

    @Test
    void ipv6PrintedInRfc5952Form() {
        assertEquals("2001:db8::64/64", Addresses.parseVip("2001:0DB8:0:0:0:0:0:0064/64").toString());
        assertEquals("2001:db8:0:1:1:1:1:1/64", Addresses.parseVip("2001:db8:0:1:1:1:1:1/64").toString());
        assertEquals("2001:db8::1:0:0:1/128", Addresses.parseVip("2001:db8:0:0:1:0:0:1/128").toString());
        assertEquals("fe80::1/64", Addresses.parseVip("fe80::1/64").toString());
        assertFalse(Addresses.parseVip("fe80::1/64").isIpv4());
    }

    @Test
    void refusals() {
        assertEquals("expected address/prefix like 192.0.2.100/24, got \"192.0.2.1\"",
                assertThrows(IllegalArgumentException.class, () -> Addresses.parseVip("192.0.2.1")).getMessage());
        assertEquals("expected a prefix length after '/', got \"192.0.2.1/\"",
                assertThrows(IllegalArgumentException.class, () -> Addresses.parseVip("192.0.2.1/")).getMessage());
        assertEquals("\"::ffff:192.0.2.1\" is IPv4-mapped: write the IPv4 address 192.0.2.1",
                assertThrows(IllegalArgumentException.class, () -> Addresses.parseVip("::ffff:192.0.2.1/24")).getMessage());
        assertEquals("0.0.0.0 cannot be a VIP (unspecified or multicast)",
                assertThrows(IllegalArgumentException.class, () -> Addresses.parseVip("0.0.0.0/24")).getMessage());
        assertEquals("ff02::12 cannot be a VIP (unspecified or multicast)",
                assertThrows(IllegalArgumentException.class, () -> Addresses.parseVip("ff02::12/64")).getMessage());
        assertEquals("expected an IPv4 or IPv6 address, got \"010.0.0.1\"",
                assertThrows(IllegalArgumentException.class, () -> Addresses.parseVip("010.0.0.1/8")).getMessage());
        assertEquals("expected an IPv4 or IPv6 address, got \"fe80::1%eth0\"",
                assertThrows(IllegalArgumentException.class, () -> Addresses.parseVip("fe80::1%eth0/64")).getMessage());
    }

    @Property
    void ipv6RoundTrip(@ForAll byte[] raw, @ForAll @IntRange(min = 1, max = 128) int prefix) throws Exception {
        byte[] bytes = java.util.Arrays.copyOf(raw, 16);
        bytes[0] = 0x20;
        VipAddress vip = new VipAddress(InetAddress.getByAddress(bytes), prefix);
        assertEquals(vip, Addresses.parseVip(vip.toString()));
    }

    @Property
    void ipv4RoundTrip(@ForAll @IntRange(min = 1, max = 223) int first, @ForAll int rest, @ForAll @IntRange(min = 1, max = 32) int prefix)
            throws Exception {
        byte[] bytes = {(byte) first, (byte) (rest >> 16), (byte) (rest >> 8), (byte) rest};
        VipAddress vip = new VipAddress(InetAddress.getByAddress(bytes), prefix);
        assertEquals(vip, Addresses.parseVip(vip.toString()));
    }

    @Property
    void arbitraryTextNeverThrowsAnythingElse(@ForAll String text) {
        try {
            Addresses.parseVip(text);
        } catch (IllegalArgumentException expected) {
            // the only way parse refuses
        }
    }
}
