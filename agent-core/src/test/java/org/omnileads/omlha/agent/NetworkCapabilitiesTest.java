package org.omnileads.omlha.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnileads.omlha.agent.NetworkCapabilities.Capability.NET_ADMIN;
import static org.omnileads.omlha.agent.NetworkCapabilities.Capability.NET_RAW;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.NetworkCapabilities.Environment;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.NativeException;

/** What /proc/self/status says about CAP_NET_RAW and CAP_NET_ADMIN, and the one line that says what gives them. */
class NetworkCapabilitiesTest {
    /** Root on a 6.x kernel: every capability up to CAP_CHECKPOINT_RESTORE (40). */
    private static final String ROOT = "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n";
    /** User omlha under the shipped unit: only the two ambient capabilities (bits 12 and 13). */
    private static final String UNIT = "CapEff:\t0000000000003000\nCapBnd:\t0000000000003000\n";
    private static final Environment PLAIN = new Environment(false, false);
    private static final Environment SYSTEMD = new Environment(true, false);
    private static final Environment CONTAINER = new Environment(false, true);

    /** A whole status file as the kernel writes it, with {@code capEff} and {@code capBnd} in their places. */
    private static String status(String capEff, String capBnd) {
        return "Name:\tjava\nUmask:\t0027\nState:\tS (sleeping)\nTgid:\t4242\nUid:\t998\t998\t998\t998\n"
                + "CapInh:\t0000000000000000\nCapPrm:\t" + capEff + "\nCapEff:\t" + capEff + "\nCapBnd:\t" + capBnd
                + "\nCapAmb:\t" + capEff + "\nNoNewPrivs:\t1\nSeccomp:\t0\n";
    }

    @Test
    void rootAndTheShippedUnitMissNothing() {
        assertEquals(List.of(), NetworkCapabilities.missing(ROOT));
        assertEquals(List.of(), NetworkCapabilities.missing(UNIT));
        assertEquals(List.of(), NetworkCapabilities.missing(status("0000000000003000", "0000000000003000")));
    }

    @Test
    void eachMissingBitIsNamed() {
        // 0x2000 is bit 13 alone (CAP_NET_RAW): CAP_NET_ADMIN is missing, as in an nspawn container without it
        assertEquals(List.of(NET_ADMIN), NetworkCapabilities.missing(status("0000000000002000", "000001ffffffefff")));
        assertEquals(List.of(NET_RAW), NetworkCapabilities.missing(status("0000000000001000", "0000000000001000")));
        assertEquals(List.of(NET_RAW, NET_ADMIN), NetworkCapabilities.missing(status("0000000000000000", "000001ffffffffff")));
        assertEquals(List.of(NET_ADMIN), NetworkCapabilities.outsideBoundingSet(status("0000000000002000", "000001ffffffefff")));
        assertEquals(List.of(), NetworkCapabilities.outsideBoundingSet(status("0000000000000000", "000001ffffffffff")));
    }

    @Test
    void textThatDoesNotSayRefusesNothing() {
        for (String odd : List.of("", "\n\n", "Name:\tjava\n", "CapEff:\n", "CapEff:\t\n", "CapEff:\tzzzz\n", "CapEff:\t-1\n",
                "CapEff:\t+3000\n", "CapEff:\t0x3000\n", "CapEff:\t10000000000000000\n", "CapEff 0000000000000000\n",
                "capeff:\t0000000000000000\n", "XCapEff:\t0000000000000000\n")) {
            assertEquals(List.of(), NetworkCapabilities.missing(odd), "cannot tell from " + odd.replace("\n", "\\n"));
        }
    }

    @Test
    void oddButReadableLinesAreRead() {
        assertEquals(OptionalLong.of(0x3000), NetworkCapabilities.capabilitySet("CapEff:   3000   \r\nCapBnd:\t0\r\n", "CapEff"));
        assertEquals(OptionalLong.of(0), NetworkCapabilities.capabilitySet("CapEff:   3000   \r\nCapBnd:\t0\r\n", "CapBnd"));
        assertEquals(OptionalLong.of(-1L), NetworkCapabilities.capabilitySet("CapEff:\tFFFFFFFFFFFFFFFF", "CapEff"), "all 64 bits");
        assertEquals(List.of(NET_ADMIN), NetworkCapabilities.missing("CapEff:\t0000000000002000\nCapEff:\t0000000000003000\n"),
                "the first line counts");
        assertEquals(List.of(NET_RAW, NET_ADMIN), NetworkCapabilities.missing("CapEff:\t0"), "no newline at the end");
    }

    @Test
    void underSystemdTheUnitsAmbientCapabilitiesAreTheRemedy() {
        String line = NetworkCapabilities.refusal(List.of(NET_ADMIN), List.of(), SYSTEMD);
        assertEquals("the agent lacks CAP_NET_ADMIN (adding and removing the VIPs): the unit gives it with AmbientCapabilities="
                + "CAP_NET_RAW CAP_NET_ADMIN CAP_SYS_NICE; a drop-in that clears that line, or a CapabilityBoundingSet= without it, takes it away"
                + " (see: systemctl cat omlha-agent)", line);
    }

    @Test
    void inAContainerWithoutItTheContainerMustGiveIt() {
        String line = NetworkCapabilities.refusal(List.of(NET_ADMIN), List.of(NET_ADMIN), CONTAINER);
        assertEquals("the agent lacks CAP_NET_ADMIN (adding and removing the VIPs): this container does not have it: start the"
                + " container with it (systemd-nspawn --capability=CAP_NET_ADMIN; docker or podman run --cap-add NET_ADMIN)", line);
        String both = NetworkCapabilities.refusal(List.of(NET_ADMIN), List.of(NET_ADMIN), new Environment(true, true));
        assertTrue(both.contains("this container does not have it") && both.contains("AmbientCapabilities="), both);
    }

    @Test
    void outsideSystemdAndContainersRootIsTheRemedy() {
        assertEquals("the agent lacks CAP_NET_RAW (VRRP, ARP and neighbour-advertisement sockets) and CAP_NET_ADMIN (adding and"
                + " removing the VIPs): run the agent as root (the omlha-agent unit gives them to user omlha)",
                NetworkCapabilities.refusal(List.of(NET_RAW, NET_ADMIN), List.of(), PLAIN));
        String dropped = NetworkCapabilities.refusal(List.of(NET_ADMIN), List.of(NET_ADMIN), PLAIN);
        assertTrue(dropped.contains("took it out of its bounding set") && dropped.contains("--cap-add NET_ADMIN"), dropped);
        String unprivilegedInContainer = NetworkCapabilities.refusal(List.of(NET_RAW), List.of(), CONTAINER);
        assertTrue(unprivilegedInContainer.endsWith("run the agent as root (the omlha-agent unit gives it to user omlha)"),
                unprivilegedInContainer);
    }

    @Test
    void everyRefusalIsOneLine() {
        for (Environment where : List.of(PLAIN, SYSTEMD, CONTAINER, new Environment(true, true))) {
            for (List<NetworkCapabilities.Capability> bounded : List.of(List.<NetworkCapabilities.Capability>of(), List.of(NET_RAW, NET_ADMIN))) {
                String line = NetworkCapabilities.refusal(List.of(NET_RAW, NET_ADMIN), bounded, where);
                assertFalse(line.contains("\n"), line);
                assertTrue(line.contains("CAP_NET_RAW") && line.contains("CAP_NET_ADMIN"), line);
            }
        }
    }

    @Test
    void theOperationSaysWhichCapabilityItNeeded() {
        assertEquals(List.of(NET_RAW), NetworkCapabilities.neededFor("socket(AF_INET, SOCK_RAW, IPPROTO_VRRP) for eth0"));
        assertEquals(List.of(NET_RAW), NetworkCapabilities.neededFor("socket(AF_PACKET, SOCK_DGRAM) for gratuitous ARP on eth0"));
        assertEquals(List.of(NET_RAW), NetworkCapabilities.neededFor("setsockopt(SO_BINDTODEVICE, \"eth0\")"));
        assertEquals(List.of(NET_ADMIN), NetworkCapabilities.neededFor("add 192.0.2.100/24 to ifindex 3 (RTM_NEWADDR)"));
        assertEquals(List.of(NET_RAW, NET_ADMIN), NetworkCapabilities.neededFor("bind(AF_NETLINK, groups 0x511)"));
    }

    @Test
    void aRefusedCallIsOneLineThatSaysWhatItNeeded() {
        String op = "socket(AF_INET, SOCK_RAW, IPPROTO_VRRP) for eth0";
        String missing = NetworkCapabilities.notPermittedMessage(op, "Operation not permitted", 1, status("0000000000001000", "0000000000001000"), PLAIN);
        assertTrue(missing.startsWith(op + ": Operation not permitted (errno 1): the agent lacks CAP_NET_RAW (VRRP"), missing);
        String held = NetworkCapabilities.notPermittedMessage(op, "Operation not permitted", 1, UNIT, SYSTEMD);
        assertEquals(op + ": Operation not permitted (errno 1): it needs CAP_NET_RAW, which the agent has: a security policy (SELinux,"
                + " AppArmor, a seccomp filter) refused it, or this network namespace belongs to a user namespace the agent is not"
                + " root in", held);
        String unknown = NetworkCapabilities.notPermittedMessage(op, "Permission denied", 13, "", PLAIN);
        assertEquals(op + ": Permission denied (errno 13): it needs CAP_NET_RAW; run the agent as root (the omlha-agent unit gives it"
                + " to user omlha)", unknown);
    }

    @Test
    void onlyPermissionErrorsAreRefusals() {
        assertTrue(NetworkCapabilities.isPermissionDenied(new NativeException("socket", Linux.EPERM, "Operation not permitted")));
        assertTrue(NetworkCapabilities.isPermissionDenied(new NativeException("socket", Linux.EACCES, "Permission denied")));
        assertFalse(NetworkCapabilities.isPermissionDenied(new NativeException("socket", Linux.ENODEV, "No such device")));
        assertEquals(StartRefusedException.EXIT_HOST_LACKS,
                NetworkCapabilities.notPermitted(new NativeException("socket(AF_PACKET, SOCK_DGRAM)", Linux.EPERM, "x")).exitCode());
    }
}
