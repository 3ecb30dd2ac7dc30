package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The RPM installed by rpm itself, so that its scriptlets run: {@code rpm --root} into a scratch copy (an overlay) of
 * the Debian root that the systemd container tests boot, which has what the scriptlets call (sh, getent, groupadd,
 * useradd, usermod). No RHEL root can be had here (no Rocky or Alma image comes from the registries this CI reaches):
 * the dependency on java-17-headless is not checked (--nodeps), only what rpm itself does with the package.
 */
@Tag("lab")
class RpmRootIT {

    @Test
    void rpmInstallsTheFilesMakesTheUserAndRemovesThemAgain() throws Exception {
        Path lower = DebianSystemdRoot.ensure();
        Path rpm = Path.of(last(run(List.of(Cluster.home().toAbsolutePath().normalize() + "/packaging/rpm/build.sh"))));
        Path scratch = Files.createTempDirectory("omlha-rpm-root-");
        Path root = scratch.resolve("root");
        try {
            for (String sub : List.of("upper", "work", "root")) {
                Files.createDirectories(scratch.resolve(sub));
            }
            run(List.of("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + lower + ",upperdir=" + scratch.resolve("upper")
                    + ",workdir=" + scratch.resolve("work"), root.toString()));
            try {
                run(List.of("rpm", "--root", root.toString(), "--initdb"));
                String installed = run(List.of("rpm", "--root", root.toString(), "-i", "--nodeps", "-v", rpm.toString()));

                assertTrue(Files.isExecutable(root.resolve("usr/bin/omlha-agent")), installed);
                assertTrue(Files.isRegularFile(root.resolve("usr/share/omlha-agent/omlha-agent.jar")));
                assertTrue(Files.isRegularFile(root.resolve("usr/lib/systemd/system/omlha-agent.service")));
                assertTrue(Files.isRegularFile(root.resolve("usr/lib/sysctl.d/90-omlha.conf")));
                // %pre made a system user and group, with no login shell.
                String passwd = chroot(root, "getent", "passwd", "omlha");
                assertTrue(passwd.strip().endsWith(":/:/sbin/nologin"), passwd);
                assertTrue(Integer.parseInt(passwd.split(":")[2]) < 1000, "a system uid: " + passwd);
                // The config: root:omlha 0640 in a 0750 directory, as %files says, by the names the scriptlet made.
                assertEquals("640 root omlha", chroot(root, "stat", "-c", "%a %U %G", "/etc/omlha/agent.conf").strip());
                assertEquals("750 root omlha", chroot(root, "stat", "-c", "%a %U %G", "/etc/omlha").strip());
                assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("usr/bin/omlha-agent"))));
                String unit = Files.readString(root.resolve("usr/lib/systemd/system/omlha-agent.service"));
                assertTrue(unit.contains("User=omlha") && unit.contains("ExecStart=/usr/bin/omlha-agent run"), unit);
                assertTrue(run(List.of("rpm", "--root", root.toString(), "-V", "--nodeps", "omlha-agent")).isBlank(),
                        "rpm -V: every file as packaged");

                run(List.of("rpm", "--root", root.toString(), "-e", "omlha-agent"));
                assertFalse(Files.exists(root.resolve("usr/bin/omlha-agent")), "removed");
                assertFalse(Files.exists(root.resolve("usr/lib/systemd/system/omlha-agent.service")), "removed");
                assertFalse(Files.exists(root.resolve("etc/omlha/agent.conf")), "an unchanged config goes with the package");
            } finally {
                run(List.of("umount", root.toString()));
            }
        } finally {
            run(List.of("rm", "-rf", scratch.toString()));
        }
    }

    private static String chroot(Path root, String... command) throws Exception {
        List<String> full = new java.util.ArrayList<>(List.of("chroot", root.toString()));
        full.addAll(List.of(command));
        return run(full);
    }

    private static String last(String output) {
        List<String> lines = output.strip().lines().toList();
        return lines.get(lines.size() - 1);
    }

    private static String run(List<String> command) throws Exception {
        Path out = Files.createTempFile("omlha-rpm-root", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!process.waitFor(600, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + ": no exit in 600 s");
            }
            String output = Files.readString(out);
            assertEquals(0, process.exitValue(), command + ":\n" + output);
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
