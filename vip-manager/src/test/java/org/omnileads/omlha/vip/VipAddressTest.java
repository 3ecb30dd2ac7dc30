package org.omnileads.omlha.vip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.omnileads.omlha.linux.Linux;

class VipAddressTest {

    @Test
    void parsesIpv4() {
        VipAddress vip = VipAddress.parse("192.0.2.100/24");
        assertTrue(vip.address() instanceof Inet4Address);
        assertEquals(24, vip.prefixLength());
        assertEquals(Linux.AF_INET, vip.family());
        assertTrue(vip.isIpv4());
        assertEquals("192.0.2.100/24", vip.toString());
    }

    @Test
    void parsesIpv6() {
        VipAddress vip = VipAddress.parse("2001:db8::10/64");
        assertTrue(vip.address() instanceof Inet6Address);
        assertEquals(64, vip.prefixLength());
        assertEquals(Linux.AF_INET6, vip.family());
        assertFalse(vip.isIpv4());
        assertEquals("2001:db8::10/64", vip.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.100/24", "203.0.113.7/32", "198.51.100.0/0", "2001:db8::10/64", "2001:db8::/32",
            "fe80::1/64", "2001:db8:0:1:2:3:4:5/128", "2001:db8::1:0:0:1/64", "::1/128", "2001:db8:1::/48"})
    void canonicalTextRoundTrips(String text) {
        assertEquals(text, VipAddress.parse(text).toString());
    }

    @ParameterizedTest
    @CsvSource({
            "2001:DB8:0:0:0:0:0:10/64, 2001:db8::10/64",
            "2001:0db8::0010/64, 2001:db8::10/64",
            "2001:db8:0:0:1:0:0:1/64, 2001:db8::1:0:0:1/64",
            "2001:0:0:1:0:0:0:1/64, 2001:0:0:1::1/64",
            "2001:db8::c000:264/96, 2001:db8::c000:264/96",
            "2001:db8::192.0.2.100/96, 2001:db8::c000:264/96",
            "2001:db8:1:2:3:4:5:0/127, 2001:db8:1:2:3:4:5:0/127"})
    void printsIpv6InRfc5952Form(String input, String canonical) {
        assertEquals(canonical, VipAddress.parse(input).toString());
    }

    @Test
    void equalAddressesAreEqualVips() {
        assertEquals(VipAddress.parse("2001:db8::10/64"), VipAddress.parse("2001:DB8:0::10/64"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "192.0.2.100|missing prefix length",
            "192.0.2.100/33|prefix length \"33\" is not a number in 0..32",
            "2001:db8::10/129|prefix length \"129\" is not a number in 0..128",
            "192.0.2.100/-1|prefix length \"-1\"",
            "192.0.2.100/|prefix length \"\"",
            "192.0.2.100/24x|prefix length \"24x\"",
            "192.0.2/24|\"192.0.2\" is not an IPv4 or IPv6 address literal",
            "192.0.2.256/24|\"192.0.2.256\" is not an IPv4 or IPv6 address literal",
            "example.com/24|\"example.com\" is not an IPv4 or IPv6 address literal",
            "2001:db8:::1/64|\"2001:db8:::1\" is not an IPv4 or IPv6 address literal",
            "2001:db8::1::2/64|\"2001:db8::1::2\" is not an IPv4 or IPv6 address literal",
            "2001:db8:1:2:3:4:5:6:7/64|is not an IPv4 or IPv6 address literal",
            "2001:db8:1:2:3:4:5/64|is not an IPv4 or IPv6 address literal",
            "1:2:3:4:5:6:7:8::/64|is not an IPv4 or IPv6 address literal",
            "2001:db8::12345/64|is not an IPv4 or IPv6 address literal",
            "fe80::1%eth0/64|is not an IPv4 or IPv6 address literal",
            "224.0.0.18/32|a multicast address cannot be a VIP",
            "ff02::1/128|a multicast address cannot be a VIP",
            "0.0.0.0/0|the unspecified address cannot be a VIP",
            "::/0|the unspecified address cannot be a VIP",
            "::ffff:192.0.2.1/128|IPv4-mapped IPv6 addresses are not supported"})
    void rejectsWithAClearMessage(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VipAddress.parse(text));
        assertTrue(e.getMessage().startsWith("invalid VIP \"" + text + "\": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void constructorChecksThePrefixLength() {
        VipAddress v4 = VipAddress.parse("192.0.2.1/32");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VipAddress(v4.address(), 33));
        assertEquals("prefix length 33 out of range 0..32 for 192.0.2.1", e.getMessage());
    }
}
