package org.omnileads.omlha.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A missing interface, said in one line (the second agent on a socket is MisconfigurationIT's: it takes two processes). */
class StartRefusalTest {

    @Test
    void aMissingInterfaceListsTheOnesThereAreAndTheKeysThatNameIt() {
        assertEquals("interface eth9 (group web) does not exist on this node; interfaces here: lo, eth0. Set omlha.interface or"
                + " omlha.groups.web.interface in /etc/omlha/agent.conf",
                GroupBuilder.missingInterface("eth9", "web", List.of("lo", "eth0"), Path.of("/etc/omlha/agent.conf")));
        assertEquals("interface eth0 (group db) does not exist on this node; interfaces here: none. Set omlha.interface or"
                + " omlha.groups.db.interface in agent.conf", GroupBuilder.missingInterface("eth0", "db", List.of(), Path.of("agent.conf")));
    }

    @Test
    void aRefusalCarriesItsExitCodeAndNoTrace() {
        StartRefusedException e = new StartRefusedException("the agent lacks CAP_NET_ADMIN", StartRefusedException.EXIT_HOST_LACKS);
        assertEquals(4, e.exitCode());
        assertEquals(0, e.getStackTrace().length, "none is ever shown, so none is taken");
    }
}
