package org.omnileads.omlha.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Debian 12 root file system that boots systemd in a container: made once by mmdebstrap from Debian's archive, as
 * this machine's apt is configured, and cached as a directory tree under {@code OMLHA_CI_CACHE}
 * (default {@code /var/cache/omlha-ci}). Containers boot it read-only with a tmpfs overlay each
 * ({@code systemd-nspawn --volatile=overlay}), so one tree serves every container and no test changes it.
 */
final class DebianSystemdRoot {
    /** What a node of the document needs to run the agent under systemd, and what the tests use inside. */
    static final List<String> PACKAGES = List.of("systemd", "systemd-sysv", "dbus", "openjdk-17-jre-headless", "iproute2",
            "procps", "iputils-ping", "util-linux", "adduser", "passwd");
    private static final String SUITE = "bookworm";

    private DebianSystemdRoot() {
    }

    /** The tree, made now if the cache does not have it (about 40 s and 430 MB). */
    static synchronized Path ensure() throws IOException, InterruptedException {
        for (String tool : List.of("mmdebstrap", "systemd-nspawn", "nsenter")) {
            if (!onPath(tool)) {
                throw new IllegalStateException(tool + " not found: the systemd container tests need "
                        + "`apt-get install mmdebstrap systemd-container util-linux` (.ci/run installs them)");
            }
        }
        Path cache = Path.of(System.getenv().getOrDefault("OMLHA_CI_CACHE", "/var/cache/omlha-ci"));
        Files.createDirectories(cache);
        String name = "debian12-systemd-" + key();
        Path tree = cache.resolve(name);
        if (Files.exists(tree.resolve(".omlha-complete"))) {
            return tree;
        }
        Path partial = cache.resolve(name + ".partial");
        run(60, "rm", "-rf", partial.toString());
        // No /etc/hostname: systemd then takes the name nspawn gives each container (--hostname).
        run(600, "mmdebstrap", "--variant=minbase", "--format=directory", "--include=" + String.join(",", PACKAGES),
                "--customize-hook=rm -f \"$1/etc/hostname\"", SUITE, partial.toString());
        Files.writeString(partial.resolve(".omlha-complete"), String.join(" ", PACKAGES) + "\n");
        run(60, "rm", "-rf", tree.toString());
        Files.move(partial, tree);
        return tree;
    }

    /** Changes with the package list, so a cache made for another list is never used. */
    private static String key() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((SUITE + " " + String.join(",", PACKAGES)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void run(long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("omlha-debian-root", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": not done in " + timeoutSeconds + " s\n" + tail(log));
            }
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + ")\n" + tail(log));
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(log));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
