package org.omnileads.omlha.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The lab against a real kernel: two hosts on the switch, sockets opened through call(), and close(). Needs root. */
@Tag("lab")
class NetnsLabTest {
    @SuppressWarnings("try") // the listener only has to exist while the other host connects
    @Test
    void hostsOnTheSwitchTalkUntilIsolatedAndCloseRemovesEverything() throws Exception {
        NetnsLab lab = NetnsLab.create();
        Path dir = lab.workDir();
        try {
            NetnsLab.Host a = lab.addHost("a", "192.0.2.1/24", "2001:db8::1/64");
            NetnsLab.Host b = lab.addHost("b", "192.0.2.2/24", null);
            assertTrue(lab.holds(a, "192.0.2.1") && lab.holds(a, "2001:db8::1"), lab.addresses(a));
            assertFalse(lab.holds(b, "192.0.2.1"), lab.addresses(b));
            assertTrue(lab.linkLocal(a).startsWith("fe80::"));
            assertTrue(lab.remainingNamespaces().containsAll(List.of(lab.switchNamespace(), a.namespace(), b.namespace())));

            InetAddress bAddress = InetAddress.getByName(b.ipv4());
            try (ServerSocket server = lab.call(b, () -> new ServerSocket(7000, 4, bAddress))) {
                assertTrue(connects(lab, a, bAddress), "a reaches b's listener, opened inside b");
                lab.setIsolated(a, true);
                lab.setIsolated(b, true);
                assertFalse(connects(lab, a, bAddress), "isolated ports do not forward to one another");
                lab.setIsolated(a, false);
                assertTrue(connects(lab, a, bAddress));
            }

            lab.setCable(a, false);
            assertTrue(lab.ip(a, "link", "show", "dev", NetnsLab.NIC).contains("NO-CARRIER"));
            lab.setCable(a, true);

            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> lab.call(a, () -> {
                        throw new IllegalStateException("from inside");
                    }));
            assertEquals("from inside", thrown.getMessage());
            assertThrows(IOException.class, () -> lab.exec(a, "false"));
            assertEquals(1, lab.execStatus(a, "false"));
        } finally {
            lab.close();
        }
        assertEquals(List.of(), lab.remainingNamespaces());
        if (System.getenv("OMLHA_LAB_KEEP") == null) {
            assertFalse(Files.exists(dir), dir + " should be gone");
        }
    }

    private static boolean connects(NetnsLab lab, NetnsLab.Host from, InetAddress to) throws Exception {
        return lab.call(from, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(to, 7000), 500);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }
}
