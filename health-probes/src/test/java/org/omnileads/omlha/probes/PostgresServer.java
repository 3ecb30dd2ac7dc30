package org.omnileads.omlha.probes;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL 15 cluster from Debian's {@code postgresql-15} binaries, on 127.0.0.1 and a free port,
 * in a temp dir. As root, every command runs as the {@code postgres} user through {@code runuser}, since initdb
 * and postgres refuse to run as root. The superuser is {@code postgres} with password {@link #SUPERUSER_PASSWORD};
 * replication from 127.0.0.1 is trusted, other TCP logins use scram-sha-256.
 */
// "try": close() may be interrupted; the tests' try-with-resources let that through as a test failure.
@SuppressWarnings("try")
final class PostgresServer implements AutoCloseable {

    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    static final String SUPERUSER_PASSWORD = "omlha-test-superuser";

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final long COMMAND_TIMEOUT_SECONDS = 30;

    final Path root;
    final Path dataDir;
    final int port;
    private boolean running;

    private PostgresServer(Path root, Path dataDir, int port) {
        this.root = root;
        this.dataDir = dataDir;
        this.port = port;
    }

    /** A temp dir owned by the user the servers run as; holds the clusters, their sockets and logs. */
    static Path newRoot() throws IOException {
        if (!Files.isExecutable(BIN.resolve("postgres")) || !Files.isExecutable(BIN.resolve("pg_basebackup"))) {
            fail("PostgreSQL 15 server binaries missing in " + BIN
                    + ": install them with `apt-get install -y postgresql` (Debian 12 package postgresql-15)");
        }
        Path dir = Files.createTempDirectory("omlha-pg");
        if (ROOT) {
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
            view.setOwner(users.lookupPrincipalByName("postgres"));
            GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
            view.setGroup(group);
        }
        return dir;
    }

    /** initdb + configuration + start. */
    static PostgresServer startPrimary(Path root) throws IOException, InterruptedException {
        Path data = root.resolve("primary");
        Path pwfile = root.resolve("pwfile");
        Files.writeString(pwfile, SUPERUSER_PASSWORD + "\n");
        run(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--pwfile=" + pwfile,
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync", "--no-instructions");
        Files.writeString(data.resolve("pg_hba.conf"), """
                local all         all                trust
                host  replication all  127.0.0.1/32  trust
                host  all         all  127.0.0.1/32  scram-sha-256
                """);
        Files.writeString(data.resolve("postgresql.conf"), """

                listen_addresses = '127.0.0.1'
                unix_socket_directories = '%s'
                wal_level = replica
                max_wal_senders = 4
                hot_standby = on
                wal_receiver_status_interval = 1s
                fsync = off
                """.formatted(root), StandardOpenOption.APPEND);
        PostgresServer server = new PostgresServer(root, data, freePort());
        server.start();
        return server;
    }

    /** A streaming standby of {@code primary} made by {@code pg_basebackup -R}, started. */
    static PostgresServer startStandby(PostgresServer primary) throws IOException, InterruptedException {
        Path data = primary.root.resolve("standby");
        run(BIN.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p", Integer.toString(primary.port),
                "-U", "postgres", "-D", data.toString(), "-R", "-X", "stream", "-c", "fast", "--no-sync");
        PostgresServer server = new PostgresServer(primary.root, data, freePort());
        server.start();
        return server;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    void start() throws IOException, InterruptedException {
        run(BIN.resolve("pg_ctl").toString(), "start", "-w", "-t", "30", "-D", dataDir.toString(),
                "-l", root.resolve(dataDir.getFileName() + ".log").toString(), "-o", "-p " + port);
        running = true;
    }

    /** {@code pg_ctl stop -m immediate}: the postmaster quits its backends at once, as in a crash. */
    void stopImmediate() throws IOException, InterruptedException {
        running = false;
        run(BIN.resolve("pg_ctl").toString(), "stop", "-w", "-t", "30", "-m", "immediate", "-D", dataDir.toString());
    }

    void promote() throws IOException, InterruptedException {
        run(BIN.resolve("pg_ctl").toString(), "promote", "-w", "-t", "30", "-D", dataDir.toString());
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (running) {
            stopImmediate();
        }
    }

    static void deleteRoot(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void run(String... argv) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (ROOT) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.addAll(List.of(argv));
        Path output = Files.createTempFile("omlha-pg-cmd", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(output.toFile()).start();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
            if (p.exitValue() != 0) {
                throw new IOException("exit " + p.exitValue() + ": " + String.join(" ", command) + "\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
