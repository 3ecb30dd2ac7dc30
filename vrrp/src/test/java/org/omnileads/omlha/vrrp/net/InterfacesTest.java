package org.omnileads.omlha.vrrp.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.NativeException;

/** Interface look-ups on the loopback, which every network namespace has (no root needed). */
class InterfacesTest {
    @Test
    void loopbackIsInterfaceOneWith127001() throws Exception {
        assertEquals(1, Interfaces.ifIndex("lo"));
        assertEquals(InetAddress.getByName("127.0.0.1"), Interfaces.primaryIpv4("lo").orElseThrow());
        assertTrue(Interfaces.ipv6LinkLocal("lo").isEmpty(), "the loopback has no fe80:: address");
    }

    @Test
    void aMissingInterfaceIsNamedInTheError() {
        NativeException e = assertThrows(NativeException.class, () -> Interfaces.ifIndex("omhnosuch0"));
        assertEquals(Linux.ENODEV, e.errno());
        assertEquals("if_nametoindex(\"omhnosuch0\"): no network interface named \"omhnosuch0\" in this network"
                + " namespace (errno 19)", e.getMessage());
        assertThrows(NativeException.class, () -> Interfaces.primaryIpv4("omhnosuch0"));
    }

    @Test
    void openingASocketOnAMissingInterfaceFailsBeforeAnySocketExists() {
        NativeException v4 = assertThrows(NativeException.class, () -> VrrpSocket.openIpv4("omhnosuch0", null));
        NativeException v6 = assertThrows(NativeException.class, () -> VrrpSocket.openIpv6("omhnosuch0"));
        assertTrue(v4.getMessage().contains("omhnosuch0"), v4.getMessage());
        assertEquals(Linux.ENODEV, v6.errno());
    }

    @Test
    void interfaceNamesMustFitIfnamsiz() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Interfaces.ifIndex("a-name-of-16-chr"));
        assertEquals("interface name \"a-name-of-16-chr\" must have 1 to 15 bytes, has 16", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Interfaces.ifIndex(""));
    }
}
