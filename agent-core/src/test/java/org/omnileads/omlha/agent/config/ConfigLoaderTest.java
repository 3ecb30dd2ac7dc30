package org.omnileads.omlha.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.omnileads.omlha.agent.config.TestConfigs.group;
import static org.omnileads.omlha.agent.config.TestConfigs.invalid;
import static org.omnileads.omlha.agent.config.TestConfigs.valid;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files, HOCON syntax, includes and environment overrides: the parts around validation. */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void missingFile() {
        Path file = dir.resolve("agent.conf");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ": no such file", e.getMessage());
        assertEquals(List.of(new ConfigException.Problem(file.toString(), -1, "", "no such file")), e.problems());
    }

    @Test
    void aFileInThePathIsNoFolder() throws Exception {
        Path file = Files.writeString(dir.resolve("agent.conf"), "").resolve("x");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ": cannot be read: Not a directory", e.getMessage());
    }

    @Test
    void directoryIsNoFile() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir));
        assertEquals(dir + ": not a regular file", e.getMessage());
    }

    @Test
    void fileProblemsNameTheFilePath() throws Exception {
        Path file = Files.writeString(dir.resolve("agent.conf"), group("vrid = 300"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ":8: omlha.groups.g.vrid: must be 1..255, got 300", e.getMessage());
        assertEquals(List.of(new ConfigException.Problem(file.toString(), 8, "omlha.groups.g.vrid", "must be 1..255, got 300")),
                e.problems());
    }

    @Test
    void syntaxErrorNamesTheLine() throws Exception {
        Path file = Files.writeString(dir.resolve("agent.conf"), "omlha {\n  interface = eth0\n  groups {\n    g { vrid = }\n}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(1, e.problems().size());
        assertEquals(file.toString(), e.problems().get(0).file());
        assertEquals(4, e.problems().get(0).line());
        assertEquals(file + ":4: ", e.getMessage().substring(0, file.toString().length() + 4));
    }

    @Test
    void includedFileProblemsNameTheIncludedFile() throws Exception {
        Files.writeString(dir.resolve("groups.conf"), "\n\nomlha.groups.g.vrid = 0\n");
        Path file = Files.writeString(dir.resolve("agent.conf"), group() + "include \"groups.conf\"\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(dir.resolve("groups.conf") + ":3: omlha.groups.g.vrid: must be 1..255, got 0", e.getMessage());
    }

    @Test
    void includedFileAddsGroups() throws Exception {
        Files.writeString(dir.resolve("more.conf"), "omlha.groups.h { vrid = 52, vips = [\"192.0.2.101/24\"] }\n");
        Path file = Files.writeString(dir.resolve("agent.conf"), group() + "include \"more.conf\"\n");
        assertEquals(List.of("g", "h"), ConfigLoader.load(file).groups().stream().map(GroupConfig::name).toList());
    }

    @Test
    void includeOfAUrlIsRefused() {
        ConfigException e = invalid("include url(\"http://192.0.2.1/agent.conf\")\n" + group());
        assertEquals(1, e.problems().size());
        assertEquals("include of \"http://192.0.2.1/agent.conf\" refused: only files and classpath resources can be included",
                e.problems().get(0).message());
        ConfigException heuristic = invalid("include \"http://192.0.2.1/agent.conf\"\n" + group());
        assertEquals(e.problems().get(0).message(), heuristic.problems().get(0).message());
    }

    @Test
    void requiredSubstitutionMissing() {
        ConfigException e = invalid(group("priority = ${OMLHA_PRIORITY}"));
        assertEquals(List.of(new ConfigException.Problem("agent.conf", 8, "",
                "Could not resolve substitution to a value: ${OMLHA_PRIORITY}")), e.problems());
    }

    @Test
    void environmentOverrideConvertsLikeALiteral() {
        assertEquals(150, valid(group("priority = ${?OMLHA_PRIORITY}"), Map.of("OMLHA_PRIORITY", "150")).groups().get(0).priority());
        assertEquals(100, valid(group("priority = ${?OMLHA_PRIORITY}")).groups().get(0).priority());
    }

    @Test
    void badEnvironmentValueIsReportedAtTheEnclosingObject() {
        ConfigException e = invalid(group("priority = ${?OMLHA_PRIORITY}"), Map.of("OMLHA_PRIORITY", "high"));
        assertEquals("agent.conf:5: omlha.groups.g.priority: expected a whole number, got \"high\"", e.getMessage());
    }

    @Test
    void environmentVariablesAreNoKeys() {
        assertEquals("eth0", valid(group(), Map.of("interface", "x", "omlha", "y", "SHELL", "/bin/sh")).defaultInterface());
    }

    @Test
    void substitutionWithinTheFile() {
        AgentConfig config = valid("omlha {\n  interface = eth0\n  tenant = ${omlha.node}\n  node = n7\n"
                + "  groups { g { vrid = 1, vips = [\"192.0.2.1/24\"] } }\n}\n");
        assertEquals("n7", config.tenant());
    }

    @Test
    void loadResolvesFromTheProcessEnvironment() throws Exception {
        String path = System.getenv("PATH");
        assumeTrue(path != null);
        Path file = Files.writeString(dir.resolve("agent.conf"),
                "omlha {\n  tenant = ${?PATH}\n  groups { g { vrid = 1, vips = [\"192.0.2.1/24\"], interface = eth0 } }\n}\n");
        assertEquals(path, ConfigLoader.load(file).tenant());
    }

    /** The node's default name is the kernel's host name, read without a resolver (no /etc/hosts entry, no DNS). */
    @Test
    void theDefaultNodeNameIsTheKernelsHostName() throws Exception {
        Path file = dir.resolve("hostname");
        Files.writeString(file, "pgsql-main-01\n");
        assertEquals("pgsql-main-01", ConfigLoader.hostnameFrom(file));
        Files.writeString(file, "\n");
        assertEquals("localhost", ConfigLoader.hostnameFrom(file), "an empty name");
        Files.writeString(file, "(none)\n");
        assertEquals("localhost", ConfigLoader.hostnameFrom(file), "the kernel's name before anyone set one");
        assertEquals("localhost", ConfigLoader.hostnameFrom(dir.resolve("missing")));
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), ConfigLoader.localHostname());
    }
}
