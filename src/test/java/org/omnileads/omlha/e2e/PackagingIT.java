package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd unit, the RPM and the .deb as an operator installs them (CONTRACT.md, "Launcher"). Needs
 * {@code systemd-analyze} (Debian: systemd), {@code rpmbuild} (Debian: rpm), dpkg-deb and lintian, no root and no network.
 *
 * <p>{@code systemd-analyze verify} rejects a unit whose ExecStart= binary does not exist, and /usr/bin/omlha-agent
 * exists only once the RPM is installed: the unit is verified as a copy, under its own name in a temporary
 * directory, whose ExecStart= points at the repository's launcher instead. Everything else is the file as shipped.
 * verify reports unknown keys and unparsable values as warnings with exit code 0, so its output must be empty too.
 */
class PackagingIT {
    private static final Path HOME = Path.of(System.getProperty("omlha.home", System.getProperty("user.dir") + "/../.."))
            .toAbsolutePath().normalize();
    private static final Path UNIT = HOME.resolve("packaging/systemd/omlha-agent.service");

    private static Path rpm;

    @TempDir
    Path dir;

    record Result(int exit, String stdout, String stderr) {
        String both() {
            return stdout + stderr;
        }
    }

    private static Result exec(Path workDir, long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("omlha-packaging", ".out");
        Path err = Files.createTempFile("omlha-packaging", ".err");
        try {
            Process process = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @BeforeAll
    static void buildTheRpm() throws Exception {
        Result build = exec(HOME, 600, HOME.resolve("packaging/rpm/build.sh").toString());
        assertEquals(0, build.exit(), "build.sh: " + build.both());
        List<String> lines = build.stdout().lines().toList();
        assertFalse(lines.isEmpty(), "build.sh prints the RPM's path: " + build.both());
        rpm = Path.of(lines.get(lines.size() - 1));
        assertTrue(Files.isRegularFile(rpm) && rpm.toString().endsWith(".noarch.rpm"), "last line is the RPM: " + rpm);
    }

    private static Result rpmQuery(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("rpm", "-qp"));
        command.addAll(List.of(options));
        command.add(rpm.toString());
        Result result = exec(HOME, 60, command.toArray(String[]::new));
        assertEquals(0, result.exit(), command + ": " + result.both());
        return result;
    }

    private Result verify(String unitText) throws Exception {
        Path copy = dir.resolve("omlha-agent.service");
        Files.writeString(copy, unitText.replace("/usr/bin/omlha-agent", HOME.resolve("bin/omlha-agent").toString()));
        return exec(dir, 60, "systemd-analyze", "verify", copy.toString());
    }

    /** packaging/deb/build.sh's .deb: its last line of output, as for the RPM. */
    private static Path buildDeb() throws Exception {
        Result build = exec(HOME, 600, HOME.resolve("packaging/deb/build.sh").toString());
        assertEquals(0, build.exit(), "packaging/deb/build.sh: " + build.both());
        List<String> lines = build.stdout().lines().toList();
        Path deb = Path.of(lines.get(lines.size() - 1));
        assertTrue(Files.isRegularFile(deb) && deb.toString().endsWith("_all.deb"), "last line is the .deb: " + lines);
        return deb;
    }

    @Test
    void theDebHoldsTheRpmsFilesAConffileAndNeedsJava17() throws Exception {
        Path deb = buildDeb();
        Result contents = exec(HOME, 60, "dpkg-deb", "--contents", deb.toString());
        assertEquals(0, contents.exit(), contents.both());
        for (String entry : List.of("-rwxr-xr-x root/root .* ./usr/bin/omlha-agent",
                "-rw-r--r-- root/root .* ./usr/share/omlha-agent/omlha-agent.jar",
                "drwxr-x--- root/root .* ./etc/omlha/", "-rw-r----- root/root .* ./etc/omlha/agent.conf",
                "-rw-r--r-- root/root .* ./lib/systemd/system/omlha-agent.service",
                "-rw-r--r-- root/root .* ./usr/lib/sysctl.d/90-omlha.conf",
                "-rw-r--r-- root/root .* ./usr/share/doc/omlha-agent/copyright")) {
            assertTrue(contents.stdout().lines().anyMatch(line -> line.matches(entry)),
                    entry + " in\n" + contents.stdout());
        }
        Result depends = exec(HOME, 60, "dpkg-deb", "--field", deb.toString(), "Depends", "Architecture");
        assertTrue(depends.stdout().contains("java17-runtime-headless") && depends.stdout().contains("all"), depends.both());
        Result conffiles = exec(dir, 60, "sh", "-c", "dpkg-deb --info '" + deb + "' conffiles");
        assertEquals("/etc/omlha/agent.conf", conffiles.stdout().strip(), conffiles.both());
        Result postinst = exec(dir, 60, "sh", "-c", "dpkg-deb --info '" + deb + "' postinst");
        assertTrue(postinst.stdout().contains("adduser --system --group") && postinst.stdout().contains("deb-systemd-helper enable"),
                postinst.both());
    }

    /** lintian, Debian's package checker: no error and no warning; the overrides the package ships say why each is fine. */
    @Test
    void lintianPassesTheDeb() throws Exception {
        Path deb = buildDeb();
        Result lintian = exec(HOME, 300, "lintian", "--fail-on", "error,warning", deb.toString());
        assertEquals(0, lintian.exit(), lintian.both());
        assertTrue(lintian.stdout().lines().noneMatch(line -> line.startsWith("E:") || line.startsWith("W:")), lintian.both());
    }

    @Test
    void systemdAcceptsTheUnitWithoutAWarning() throws Exception {
        Result result = verify(Files.readString(UNIT));
        assertEquals(0, result.exit(), result.both());
        assertEquals("", result.both().strip(), "systemd-analyze verify has nothing to say");
    }

    @Test
    void theVerifyCheckSeesAMistypedKey() throws Exception {
        Result result = verify(Files.readString(UNIT).replace("NoNewPrivileges=", "NoNewPrivilegez="));
        assertTrue(result.both().contains("NoNewPrivilegez"), "verify names the unknown key: " + result.both());
    }

    @Test
    void theUnitIsANotifyServiceWithThreeCapabilitiesAJitAndRealtime() throws Exception {
        Map<String, String> service = new LinkedHashMap<>();
        for (String line : Files.readAllLines(UNIT)) {
            int equals = line.indexOf('=');
            if (!line.startsWith("#") && equals > 0) {
                service.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        Map<String, String> expected = Map.ofEntries(
                Map.entry("Type", "notify"), Map.entry("NotifyAccess", "main"), Map.entry("WatchdogSec", "10s"),
                Map.entry("ExecStart", "/usr/bin/omlha-agent run -c /etc/omlha/agent.conf"),
                // as root ("+"), so it can write the service's cpu cgroup a real-time budget (RealtimeBudgetIT)
                Map.entry("ExecStartPre", "+/usr/bin/omlha-agent realtime-budget"), Map.entry("LimitRTPRIO", "99"),
                Map.entry("ExecReload", "/bin/kill -HUP $MAINPID"), Map.entry("Restart", "on-failure"),
                Map.entry("RestartPreventExitStatus", "2 4"),
                Map.entry("User", "omlha"), Map.entry("Group", "omlha"),
                Map.entry("AmbientCapabilities", "CAP_NET_RAW CAP_NET_ADMIN CAP_SYS_NICE"),
                Map.entry("CapabilityBoundingSet", "CAP_NET_RAW CAP_NET_ADMIN CAP_SYS_NICE"),
                Map.entry("NoNewPrivileges", "yes"), Map.entry("RuntimeDirectory", "omlha"),
                Map.entry("ProtectSystem", "strict"),
                Map.entry("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET"),
                Map.entry("MemoryDenyWriteExecute", "no"));
        expected.forEach((key, value) -> assertEquals(value, service.get(key), key));
    }

    @Test
    void theRpmInstallsLauncherJarConfigUnitAndSysctl() throws Exception {
        List<String> files = rpmQuery("-l").stdout().lines().toList();
        for (String path : List.of("/usr/bin/omlha-agent", "/usr/share/omlha-agent/omlha-agent.jar",
                "/etc/omlha/agent.conf", "/usr/lib/systemd/system/omlha-agent.service", "/usr/lib/sysctl.d/90-omlha.conf")) {
            assertTrue(files.contains(path), path + " in " + files);
        }
        assertEquals(List.of("/etc/omlha/agent.conf"), rpmQuery("-c").stdout().lines().toList(), "the config files");
        List<String> modes = rpmQuery("--queryformat", "[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILENAMES}\n]")
                .stdout().lines().toList();
        assertTrue(modes.contains("-rw-r----- root omlha /etc/omlha/agent.conf"), "secrets stay with omlha: " + modes);
        assertTrue(modes.contains("-rwxr-xr-x root root /usr/bin/omlha-agent"), modes.toString());
    }

    @Test
    void theRpmNeedsJava17AndCreatesItsUser() throws Exception {
        assertTrue(rpmQuery("--requires").stdout().lines().anyMatch(line -> line.contains("java-17-headless")),
                "a Java 17 runtime is required");
        String scripts = rpmQuery("--scripts").stdout();
        assertTrue(scripts.contains("getent passwd omlha") && scripts.contains("useradd -r -g omlha"), scripts);
        assertTrue(scripts.contains("-s /sbin/nologin"), scripts);
        assertTrue(rpmQuery("--queryformat", "%{ARCH}").stdout().equals("noarch"), "noarch");
    }

    @Test
    void theSysctlFileLetsServicesBindTheVipsBeforeFailover() throws Exception {
        List<String> settings = Files.readAllLines(HOME.resolve("packaging/sysctl/90-omlha.conf")).stream()
                .filter(line -> !line.startsWith("#") && !line.isBlank()).toList();
        assertEquals(List.of("net.ipv4.ip_nonlocal_bind = 1", "net.ipv6.ip_nonlocal_bind = 1"), settings);
    }

    /** The shipped config refuses to start until a group is set; its commented example group, uncommented, is valid. */
    @Test
    void theShippedConfigNeedsAGroupAndItsExampleIsValid() throws Exception {
        Path shipped = HOME.resolve("packaging/rpm/agent.conf");
        Result asShipped = exec(dir, 60, HOME.resolve("bin/omlha-agent").toString(), "check-config", "-c", shipped.toString());
        assertEquals(2, asShipped.exit(), asShipped.both());
        assertTrue(asShipped.both().contains("omlha.groups"), asShipped.both());

        List<String> lines = new ArrayList<>(Files.readAllLines(shipped));
        int start = indexOf(lines, "# groups {", 0);
        int end = indexOf(lines, "# }", start);
        for (int i = start; i <= end; i++) {
            lines.set(i, lines.get(i).replaceFirst("# ", ""));
        }
        Path edited = dir.resolve("agent.conf");
        Files.write(edited, lines, StandardCharsets.UTF_8);
        Result withGroup = exec(dir, 60, HOME.resolve("bin/omlha-agent").toString(), "check-config", "-c", edited.toString());
        assertEquals(0, withGroup.exit(), String.join("\n", lines) + "\n" + withGroup.both());
    }

    private static int indexOf(List<String> lines, String trimmed, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(trimmed)) {
                return i;
            }
        }
        throw new AssertionError("no line '" + trimmed + "' after line " + from);
    }
}
