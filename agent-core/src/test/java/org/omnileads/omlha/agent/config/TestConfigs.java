package org.omnileads.omlha.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Small valid configurations to vary one line at a time, and assertions on the exact problems reported. */
final class TestConfigs {
    static final String FILE = "agent.conf";

    /** The line at which {@link #group} puts its first extra line. */
    static final int GROUP_LINE = 8;

    private TestConfigs() {
    }

    /**
     * A valid configuration with one group {@code g} (vrid 51, 192.0.2.100/24 on eth0) and probes {@code pg}
     * (postgresql) and {@code web} (http); {@code lines} go into the group from line {@link #GROUP_LINE} on.
     * A key set again there overrides the one above (HOCON: the last value wins).
     */
    static String group(String... lines) {
        return "omlha {\n"                                                                        // 1
                + "  interface = eth0\n"                                                          // 2
                + "  probes { pg { type = postgresql, url = \"jdbc:postgresql://127.0.0.1/postgres\" }, "
                + "web { type = http, url = \"http://127.0.0.1/\" } }\n"                          // 3
                + "  groups {\n"                                                                  // 4
                + "    g {\n"                                                                     // 5
                + "      vrid = 51\n"                                                             // 6
                + "      vips = [\"192.0.2.100/24\"]\n"                                           // 7
                + indent(lines)                                                                   // 8..
                + "    }\n"
                + "  }\n"
                + "}\n";
    }

    /** The line at which {@link #probe} puts the probe's keys. */
    static final int PROBE_LINE = 4;

    /** A valid configuration plus a probe {@code p} whose keys are {@code lines}, from line {@link #PROBE_LINE} on. */
    static String probe(String... lines) {
        return "omlha {\n"                                                                        // 1
                + "  interface = eth0\n"                                                          // 2
                + "  probes {\n"                                                                  // 3
                + indent(lines)                                                                   // 4..
                + "  }\n"
                + "  groups { g { vrid = 51, vips = [\"192.0.2.100/24\"] } }\n"
                + "}\n";
    }

    /** A valid configuration with {@code lines} added to {@code omlha} from line 3 on. */
    static String top(String... lines) {
        return "omlha {\n"                                                                        // 1
                + "  groups { g { vrid = 51, vips = [\"192.0.2.100/24\"], interface = eth0 } }\n" // 2
                + indent(lines)                                                                   // 3..
                + "}\n";
    }

    static AgentConfig valid(String hocon) {
        return valid(hocon, Map.of());
    }

    static AgentConfig valid(String hocon, Map<String, String> env) {
        try {
            return ConfigLoader.parse(hocon, FILE, env);
        } catch (ConfigException e) {
            throw new AssertionError("expected a valid configuration, got:\n" + e.getMessage() + "\n---\n" + hocon, e);
        }
    }

    static GroupConfig validGroup(String... lines) {
        return valid(group(lines)).groups().get(0);
    }

    static ProbeConfig validProbe(String... lines) {
        return valid(probe(lines)).probe("p").orElseThrow();
    }

    static ConfigException invalid(String hocon) {
        return invalid(hocon, Map.of());
    }

    static ConfigException invalid(String hocon, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(hocon, FILE, env));
    }

    /** Asserts that {@code hocon} is refused with exactly these problems, in this order. */
    static void assertProblems(String hocon, String... expected) {
        ConfigException e = invalid(hocon);
        assertEquals(List.of(expected), Arrays.asList(e.getMessage().split("\n")), hocon);
    }

    static Path resource(String name) {
        try {
            return Path.of(Objects.requireNonNull(TestConfigs.class.getResource("/config/" + name), name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static String indent(String... lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append("      ").append(line).append('\n');
        }
        return text.toString();
    }
}
