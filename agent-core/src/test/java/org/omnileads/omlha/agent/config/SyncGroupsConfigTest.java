package org.omnileads.omlha.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncGroupsConfigTest {
    private static String conf(String sync) {
        return "omlha {\n  interface = \"eth0\"\n  sync-groups { " + sync + " }\n"
                + "  groups { a { vrid = 51, vips = [\"192.0.2.100/24\"] }, b { vrid = 52, vips = [\"192.0.2.101/24\"] } }\n}\n";
    }

    @Test
    void membersAreConfiguredGroups() throws Exception {
        assertEquals(Map.of("omni", List.of("a", "b")), ConfigLoader.parse(conf("omni = [a, b]"), "agent.conf").syncGroups());
    }

    @Test
    void anUnknownMemberIsNamedWithItsLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(conf("omni = [a, c]"), "agent.conf"));
        assertTrue(e.getMessage().contains("agent.conf:3") && e.getMessage().contains("no group named \"c\""), e.getMessage());
    }

    @Test
    void aGroupIsInOneSyncGroupAtMost() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(conf("x = [a, b], y = [a, b]"), "agent.conf"));
        assertTrue(e.getMessage().contains("already in a sync group"), e.getMessage());
    }
}
