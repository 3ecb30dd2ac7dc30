package org.omnileads.omlha.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabPrerequisitesTest {
    @Test
    void saysWhatIsMissingAndWhatToInstallBeforeCreatingAnything() {
        assertEquals(List.of(), LabPrerequisites.problems(true, Set.of("ip", "sysctl", "ping")::contains));
        assertEquals(List.of("needs ping: install iputils-ping (Debian) / iputils (RHEL)"),
                LabPrerequisites.problems(true, Set.of("ip", "sysctl")::contains), "a machine without ping would show every failover as failed");
        assertEquals(List.of("needs root (it creates network namespaces); try: sudo bin/omlha-agent lab",
                "needs ip: install iproute2 (Debian) / iproute (RHEL)", "needs sysctl: install procps (Debian) / procps-ng (RHEL)",
                "needs ping: install iputils-ping (Debian) / iputils (RHEL)"), LabPrerequisites.problems(false, tool -> false));
    }

    @Test
    void findsAToolOnThePath() {
        assertEquals(true, LabPrerequisites.onPath("sh"), "every machine that runs the tests has sh");
        assertEquals(false, LabPrerequisites.onPath("no-such-tool-omlha"));
    }
}
