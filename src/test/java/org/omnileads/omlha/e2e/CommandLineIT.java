package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher and its exit codes, as operators and scripts meet them (CONTRACT.md, "Commands"). No network. */
class CommandLineIT {
    @TempDir
    Path dir;

    record Result(int exit, String output) {}

    private static Result launch(String... args) throws IOException, InterruptedException {
        return launch(Map.of(), args);
    }

    /** With {@code env} set over the test's own environment ("" unsets a variable). */
    private static Result launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(Cluster.launcher());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        env.forEach((key, value) -> {
            if (value.isEmpty()) {
                builder.environment().remove(key);
            } else {
                builder.environment().put(key, value);
            }
        });
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the launcher returns");
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void checkConfigAcceptsAValidFile() throws Exception {
        Path conf = dir.resolve("agent.conf");
        Files.writeString(conf, "omlha {\n  interface = \"eth0\"\n  groups { web { vrid = 51, vips = [\"192.0.2.100/24\"] } }\n}\n");
        Result result = launch("check-config", "-c", conf.toString());
        assertEquals(0, result.exit(), result.output());
        assertTrue(result.output().contains("valid"), result.output());
    }

    @Test
    void checkConfigAndRunRejectABadFileNamingKeyFileAndLine() throws Exception {
        Path conf = dir.resolve("agent.conf");
        Files.writeString(conf, "omlha {\n  interface = \"eth0\"\n  groups {\n    web { vrid = 300, vips = [\"192.0.2.100/24\"] }\n  }\n}\n");
        for (String command : List.of("check-config", "run")) {
            Result result = launch(command, "-c", conf.toString());
            assertEquals(2, result.exit(), command + ": " + result.output());
            assertTrue(result.output().contains("agent.conf:4") && result.output().contains("omlha.groups.web.vrid"),
                    command + " names the file, the line and the key: " + result.output());
        }
    }

    @Test
    void aMissingFileIsAConfigError() throws Exception {
        Result result = launch("check-config", "-c", dir.resolve("nope.conf").toString());
        assertEquals(2, result.exit(), result.output());
        assertTrue(result.output().contains("nope.conf"), result.output());
    }

    @Test
    void withoutJavaTheLauncherSaysSoInOneLineAndExitsFour() throws Exception {
        Path conf = dir.resolve("agent.conf");
        Result badHome = launch(Map.of("JAVA_HOME", dir.resolve("no-jdk").toString()), "run", "-c", conf.toString());
        assertEquals(4, badHome.exit(), badHome.output());
        assertEquals("omlha-agent: no Java runtime at JAVA_HOME=" + dir.resolve("no-jdk") + " (no executable " + dir.resolve("no-jdk/bin/java")
                + "); fix or unset JAVA_HOME\n", badHome.output());

        // A PATH with what the launcher itself runs, and no java.
        Path bin = Files.createDirectory(dir.resolve("bin"));
        for (String tool : List.of("bash", "env", "dirname", "readlink")) {
            Files.createSymbolicLink(bin.resolve(tool), onPath(tool));
        }
        Result noJava = launch(Map.of("PATH", bin.toString(), "JAVA_HOME", ""), "run", "-c", conf.toString());
        assertEquals(4, noJava.exit(), noJava.output());
        assertTrue(noJava.output().startsWith("omlha-agent: no Java runtime: java is not on PATH (" + bin + "); install a Java 17 runtime")
                && noJava.output().strip().lines().count() == 1, noJava.output());
    }

    private static Path onPath(String tool) throws IOException {
        for (String folder : System.getenv("PATH").split(":")) {
            Path candidate = Path.of(folder.isEmpty() ? "." : folder, tool);
            if (Files.isExecutable(candidate)) {
                return candidate.toRealPath();
            }
        }
        throw new IOException(tool + " is not on PATH");
    }

    @Test
    void statusWithoutADaemonExitsThree() throws Exception {
        Result result = launch("status", "--socket", dir.resolve("none.sock").toString());
        assertEquals(3, result.exit(), result.output());
        assertTrue(result.output().contains("no agent answers"), result.output());
    }

    @Test
    void eventWithoutADaemonExitsThreeInOneLineSoRepmgrCarriesOn() throws Exception {
        Result noSocket = launch("event", "standby_promote", "--socket", dir.resolve("none.sock").toString());
        assertEquals(3, noSocket.exit(), noSocket.output());
        assertEquals("omlha-agent event: no agent answers on " + dir.resolve("none.sock") + " (no socket); the event is dropped\n",
                noSocket.output(), "one line, from the launcher (no JVM start)");

        // A socket file left by a killed daemon: nobody accepts on it; the JVM client says so.
        Path stale = dir.resolve("stale.sock");
        try (java.nio.channels.ServerSocketChannel left = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            left.bind(java.net.UnixDomainSocketAddress.of(stale));
        }
        Result refused = launch("event", "--socket=" + stale, "standby_promote");
        assertEquals(3, refused.exit(), refused.output());
        assertTrue(refused.output().strip().lines().count() == 1 && refused.output().contains("no agent answers on " + stale),
                refused.output());
    }
}
