package org.omnileads.omlha.labservices;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * A PostgreSQL 15 node managed by repmgr 5.3 on a lab host, like one of the two database nodes of an OMniLeads
 * cluster (issue 4): streaming replication, repmgrd for automatic failover, a primary and a standby whose roles the
 * agent follows. repmgr promotes; nothing here moves a VIP.
 *
 * <p>Every command runs inside the host's namespace as the {@code postgres} user ({@code runuser}), so the server
 * listens on the host's lab address, port {@value #PORT}, and repmgr's {@code promote_command} and
 * {@code service_*} commands run there too. The node's files live in {@code pg-<host>} under the lab's folder:
 * {@code data/}, {@code node.conf} (the node's own settings, outside the data directory so that a clone or a
 * rewind from the other node keeps them), {@code repmgr.conf}, the unix socket, {@code postgres.log},
 * {@code repmgrd.log}, and {@code commands.log} (each repmgr/pg_ctl operation with its output).
 *
 * <p>Lab shortcuts, never for production: every login from the local socket and from 192.0.2.0/24 is trusted
 * (no passwords), and {@code fsync} is off (a SIGKILLed postmaster loses nothing the kernel already holds; the lab
 * never cuts the machine's power).
 *
 * <p>The server is started with {@code pg_ctl} (daemonized, like repmgr's own service commands), so it is not a
 * child of this JVM: {@link #close()} SIGKILLs it, repmgrd too, and deletes the data directory; the logs stay.
 *
 * <p>{@link #switchoverFrom} runs {@code repmgr standby switchover}, which drives the primary it demotes over ssh.
 * The lab has no sshd: an {@code ssh} stand-in first in repmgr's PATH runs each remote command in the other host's
 * namespace instead (see {@link #switchoverFrom}).
 */
public final class LabPostgres implements AutoCloseable {
    public static final int PORT = 5432;
    public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    /** Superuser that repmgr connects as; also the name of repmgr's database. */
    public static final String REPMGR_USER = "repmgr";
    /** Member of pg_monitor, for the agent's postgresql probe. */
    public static final String MONITOR_USER = "omlha";
    /** Owner of {@link #APP_DATABASE}, where the writer inserts into {@link #WRITES_TABLE}. */
    public static final String APP_USER = "app";
    public static final String APP_DATABASE = "app";
    public static final String WRITES_TABLE = "writes";

    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(30);
    private static final Duration QUERY_LIMIT = Duration.ofSeconds(10);
    private static final Duration LONG_LIMIT = Duration.ofSeconds(90);
    private static final Duration REPMGRD_READY_LIMIT = Duration.ofSeconds(15);
    private static final Duration KILL_LIMIT = Duration.ofSeconds(10);
    /**
     * A switchover that goes well takes a few seconds; repmgr's own waits (shutdown_check_timeout 60 s,
     * wal_receive_check_timeout 30 s, promote_check_timeout 60 s, node_rejoin_timeout and standby_reconnect_timeout
     * 30 s here) would let a stuck one run for minutes.
     */
    private static final Duration SWITCHOVER_LIMIT = Duration.ofSeconds(120);
    /** After repmgr reported success: until both nodes answer with their new roles. */
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(20);
    private static final List<String> AS_POSTGRES = List.of("runuser", "-u", "postgres", "--");
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Path NSENTER = Path.of("/usr/bin/nsenter");

    /** What the node answers to {@code pg_is_in_recovery()}; DOWN when it does not answer. */
    public enum Role { PRIMARY, STANDBY, DOWN }

    private final NetnsLab lab;
    private final NetnsLab.Host host;
    private final int nodeId;
    private final Path dir;
    private final Path dataDir;
    private final Path repmgrConf;
    private final Path log;
    private final Path repmgrdLog;
    private final Path commandsLog;
    private final Path sshStandInLog;
    private Process repmgrd;
    /** repmgr.conf's event_notification_command; null: none. */
    private volatile String eventNotificationCommand;

    /** A node named after its host ({@code n1}), with repmgr node id {@code nodeId}; nothing runs yet. */
    public LabPostgres(NetnsLab lab, NetnsLab.Host host, int nodeId) {
        for (String binary : List.of("postgres", "pg_ctl", "initdb", "psql", "pg_rewind", "repmgr", "repmgrd")) {
            if (!Files.isExecutable(BIN.resolve(binary))) {
                throw new IllegalStateException(BIN.resolve(binary) + " is missing: install the Debian 12 packages postgresql-15 and "
                        + "postgresql-15-repmgr (apt-get install -y postgresql postgresql-15-repmgr)");
            }
        }
        if (nodeId < 1) {
            throw new IllegalArgumentException("repmgr node ids start at 1: " + nodeId);
        }
        this.lab = lab;
        this.host = host;
        this.nodeId = nodeId;
        this.dir = lab.workDir().resolve("pg-" + host.name());
        this.dataDir = dir.resolve("data");
        this.repmgrConf = dir.resolve("repmgr.conf");
        this.log = dir.resolve("postgres.log");
        this.repmgrdLog = dir.resolve("repmgrd.log");
        this.commandsLog = dir.resolve("commands.log");
        this.sshStandInLog = dir.resolve("ssh-standin.log");
    }

    public NetnsLab.Host host() {
        return host;
    }

    public String name() {
        return host.name();
    }

    public int nodeId() {
        return nodeId;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path repmgrConf() {
        return repmgrConf;
    }

    /** The server's log ({@code pg_ctl -l}). */
    public Path log() {
        return log;
    }

    /**
     * What the ssh stand-in of {@link #switchoverFrom} ran on the other hosts, one line per start and end:
     * {@code <epoch ms> <host> start: <command>} and {@code <epoch ms> <host> exit <status>}.
     */
    public Path sshStandInLog() {
        return sshStandInLog;
    }

    /**
     * Sets repmgr.conf's {@code event_notification_command} (repmgr's placeholders such as {@code %n %e %s} stay
     * as they are; null or blank: none, the default). Call it before {@link #initPrimary} or
     * {@link #cloneStandbyFrom}; later it rewrites repmgr.conf, which a running repmgrd reads only when it starts.
     */
    public void setEventNotificationCommand(String command) throws IOException {
        if (command != null && (command.contains("\n") || command.contains("\r"))) {
            throw new IllegalArgumentException("event_notification_command must be one line: " + command);
        }
        eventNotificationCommand = command == null || command.isBlank() ? null : command;
        if (Files.exists(repmgrConf)) {
            Files.writeString(repmgrConf, repmgrSettings());
        }
    }

    /** What repmgr connects to: the node's lab address, as user and database {@value #REPMGR_USER}. */
    public String conninfo() {
        return "host=" + host.ipv4() + " port=" + PORT + " user=" + REPMGR_USER + " dbname=" + REPMGR_USER + " connect_timeout=2";
    }

    // ---- configuration ---------------------------------------------------------------------------------------

    /** Appended to initdb's postgresql.conf: the replication settings of the OMniLeads cluster, plus lab ones. */
    static String serverSettings() {
        return """

                # omlha lab (LabPostgres): streaming replication managed by repmgr
                listen_addresses = '*'
                port = %d
                wal_level = replica
                hot_standby = on
                wal_log_hints = on
                max_wal_senders = 10
                max_replication_slots = 10
                wal_keep_size = 256MB
                shared_preload_libraries = 'repmgr'
                wal_receiver_status_interval = 1s
                shared_buffers = 32MB
                # millisecond timestamps and the pid on every line: benches read when a promotion ended
                log_line_prefix = '%%m [%%p] '
                # lab only: no fsync (processes are killed, the machine is not)
                fsync = off
                # this node's own settings, outside the data directory: a clone or a rewind copies this file, not that one
                include_if_exists = '../node.conf'
                """.formatted(PORT);
    }

    /** The node's own settings: its socket directory (each node has its own, they share the file system). */
    static String nodeSettings(Path socketDir, String nodeName) {
        return "unix_socket_directories = '" + socketDir + "'\ncluster_name = '" + nodeName + "'\n";
    }

    /** pg_hba.conf: trust from the socket, loopback and the lab network (lab only: no passwords). */
    static String hba() {
        return """
                # omlha lab: every login trusted, never do this outside a lab
                local all         all                trust
                host  all         all  127.0.0.1/32  trust
                host  all         all  192.0.2.0/24  trust
                local replication all                trust
                host  replication all  127.0.0.1/32  trust
                host  replication all  192.0.2.0/24  trust
                """;
    }

    /** repmgr.conf: automatic failover by repmgrd, checked every second, the primary given up after two failed reconnects. */
    String repmgrSettings() {
        String pgCtl = BIN.resolve("pg_ctl") + " -w -t 30 -D " + dataDir;
        String repmgr = BIN.resolve("repmgr") + " -f " + repmgrConf;
        return String.join("\n",
                "node_id=" + nodeId,
                "node_name='" + host.name() + "'",
                "conninfo='" + conninfo() + "'",
                "data_directory='" + dataDir + "'",
                "pg_bindir='" + BIN + "'",
                "use_replication_slots=yes",
                "failover=automatic",
                "promote_command='" + repmgr + " standby promote --log-to-file'",
                "follow_command='" + repmgr + " standby follow --log-to-file --upstream-node-id=%n'",
                "reconnect_attempts=2",
                "reconnect_interval=1",
                "monitor_interval_secs=1",
                "promote_check_interval=1",
                "node_rejoin_timeout=30",
                "standby_reconnect_timeout=30",
                "repmgrd_pid_file='" + dir.resolve("repmgrd.pid") + "'",
                "log_file='" + repmgrdLog + "'",
                "log_level=INFO",
                "service_start_command='" + pgCtl + " -l " + log + " start'",
                "service_stop_command='" + pgCtl + " -m fast stop'",
                "service_restart_command='" + pgCtl + " -l " + log + " -m fast restart'",
                "service_reload_command='" + BIN.resolve("pg_ctl") + " -D " + dataDir + " reload'",
                eventNotificationCommand == null ? "" : "event_notification_command='" + quoted(eventNotificationCommand) + "'",
                "");
    }

    /** A value for a quoted repmgr.conf string: repmgr's scanner (PostgreSQL's) undoes backslash escapes and doubled quotes. */
    static String quoted(String value) {
        return value.replace("\\", "\\\\").replace("'", "''");
    }

    // ---- operations ------------------------------------------------------------------------------------------

    /**
     * initdb, the cluster's settings, start, then the users and databases ({@value #REPMGR_USER} superuser and
     * database, {@value #MONITOR_USER} with pg_monitor, {@value #APP_USER} owning {@value #APP_DATABASE} with
     * table {@value #WRITES_TABLE}), and {@code repmgr primary register}.
     */
    public void initPrimary() throws IOException {
        prepareNodeDir();
        operation(COMMAND_LIMIT, BIN.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", "postgres", "--auth=trust",
                "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions");
        Files.writeString(dataDir.resolve("pg_hba.conf"), hba());
        Files.writeString(dataDir.resolve("postgresql.conf"), serverSettings(), StandardOpenOption.APPEND);
        start();
        operation(COMMAND_LIMIT, psqlCommand("postgres",
                "CREATE USER " + REPMGR_USER + " SUPERUSER",
                "ALTER USER " + REPMGR_USER + " SET search_path TO repmgr, \"$user\", public",
                "CREATE DATABASE " + REPMGR_USER + " OWNER " + REPMGR_USER,
                "CREATE USER " + MONITOR_USER,
                "GRANT pg_monitor TO " + MONITOR_USER,
                "CREATE USER " + APP_USER,
                "CREATE DATABASE " + APP_DATABASE + " OWNER " + APP_USER));
        operation(COMMAND_LIMIT, psqlAs(APP_USER, APP_DATABASE,
                "CREATE TABLE " + WRITES_TABLE + " (id bigint PRIMARY KEY, sent_at timestamptz NOT NULL)"));
        operation(COMMAND_LIMIT, repmgrCommand("primary", "register"));
    }

    /**
     * {@code repmgr standby clone} from {@code primary} (pg_basebackup underneath, a replication slot on the
     * primary), start, and {@code repmgr standby register}, waiting until the node's record has reached it.
     */
    public void cloneStandbyFrom(LabPostgres primary) throws IOException {
        prepareNodeDir();
        cloneAndRegister(primary, false);
    }

    /** Starts repmgrd in the foreground (a child of the lab) and waits until it has registered with the local server. */
    public void startRepmgrd() throws IOException {
        if (repmgrdRunning()) {
            throw new IllegalStateException(name() + ": repmgrd already runs");
        }
        repmgrd = lab.start(host, List.of("runuser", "-u", "postgres", "--", BIN.resolve("repmgrd").toString(), "-f", repmgrConf.toString(),
                "--daemonize=false"), dir.resolve("repmgrd.out"));
        long end = System.nanoTime() + REPMGRD_READY_LIMIT.toNanos();
        while (System.nanoTime() - end < 0) {
            if (!repmgrd.isAlive()) {
                throw new IOException(name() + ": repmgrd exited (" + repmgrd.exitValue() + "): " + tail(repmgrdLog, 20));
            }
            if (queryQuietly(REPMGR_USER, "SELECT repmgr.repmgrd_is_running()").equals("t")) {
                return;
            }
            pause(50);
        }
        throw new IOException(name() + ": repmgrd not running within " + REPMGRD_READY_LIMIT.toSeconds() + " s: " + tail(repmgrdLog, 20));
    }

    /** SIGTERM to repmgrd (SIGKILL if it has not gone in 10 s); nothing if it does not run. */
    public void stopRepmgrd() {
        Process process = repmgrd;
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(KILL_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                process.waitFor(KILL_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tree.forEach(ProcessHandle::destroyForcibly);
        }
        repmgrd = null;
    }

    public boolean repmgrdRunning() {
        return repmgrd != null && repmgrd.isAlive();
    }

    /** {@code pg_ctl start -w}: returns once the server accepts connections (a standby: once it is consistent). */
    public void start() throws IOException {
        if (isRunning()) {
            throw new IllegalStateException(name() + ": PostgreSQL already runs");
        }
        removeStalePidFile();
        operation(COMMAND_LIMIT, pgCtl("-l", log.toString(), "start"));
    }

    /** {@code pg_ctl stop -m fast} (a clean shutdown); nothing if the server does not run. */
    public void stop() throws IOException {
        if (isRunning()) {
            operation(COMMAND_LIMIT, pgCtl("-m", "fast", "stop"));
        }
    }

    /**
     * SIGKILL to the postmaster and every process it forked: a crash, or a power cut of the database (the
     * postmaster is first stopped with SIGSTOP so that it cannot fork while its children are collected). Returns
     * once they are gone. {@code postmaster.pid} stays behind, as after a real crash.
     */
    public void kill() throws IOException {
        long pid = postmasterPid().stream().filter(LabPostgres::alive).boxed().findFirst()
                .orElseThrow(() -> new IllegalStateException(name() + ": PostgreSQL does not run"));
        NetnsLab.run("kill", "-STOP", Long.toString(pid));
        List<ProcessHandle> tree = ProcessHandle.of(pid).map(p -> Stream.concat(Stream.of(p), p.descendants()).toList()).orElse(List.of());
        tree.forEach(ProcessHandle::destroyForcibly);
        long end = System.nanoTime() + KILL_LIMIT.toNanos();
        while (tree.stream().anyMatch(p -> alive(p.pid()))) {
            if (System.nanoTime() - end >= 0) {
                throw new IOException(name() + ": PostgreSQL processes survived SIGKILL for " + KILL_LIMIT.toSeconds() + " s: "
                        + tree.stream().filter(p -> alive(p.pid())).map(p -> Long.toString(p.pid())).collect(Collectors.joining(" ")));
            }
            pause(10);
        }
    }

    /** True when the postmaster named in {@code postmaster.pid} is alive (a zombie is not). */
    public boolean isRunning() {
        OptionalLong pid = postmasterPid();
        return pid.isPresent() && alive(pid.getAsLong());
    }

    /**
     * The stopped old primary back as a standby of {@code newPrimary}: {@code repmgr node rejoin --force-rewind}
     * (pg_rewind from the new primary, then repmgr starts the server and waits until it streams from it).
     *
     * <p>A CHECKPOINT on the new primary comes first: PostgreSQL 15's pg_rewind reads the source's timeline from
     * its control file, which a promotion updates only at the end of the checkpoint it requests (spread over a
     * second or more). A rewind before that finds both on timeline 1, copies nothing, and the old primary then
     * cannot follow timeline 2 ("new timeline 2 forked off current database system timeline 1").
     */
    public void rejoin(LabPostgres newPrimary) throws IOException {
        if (isRunning()) {
            throw new IllegalStateException(name() + ": stop PostgreSQL before a rejoin");
        }
        removeStalePidFile();
        newPrimary.query("postgres", "CHECKPOINT");
        operation(LONG_LIMIT, repmgrCommand("node", "rejoin", "-d", newPrimary.conninfo(), "--force-rewind",
                "--config-archive-dir=" + dir, "--verbose"));
    }

    /** The other way back: the data directory deleted, then cloned again from {@code newPrimary} and re-registered. */
    public void recloneFrom(LabPostgres newPrimary) throws IOException {
        stop();
        removeStalePidFile();
        deleteDataDir();
        cloneAndRegister(newPrimary, true);
    }

    /**
     * {@code repmgr standby switchover} run on this node, a standby streaming from {@code oldPrimary}: repmgr pauses
     * every running repmgrd, stops {@code oldPrimary} cleanly, waits until this node has received its shutdown
     * checkpoint, promotes this node (a new timeline), runs {@code repmgr node rejoin} on {@code oldPrimary} (which
     * starts it as a standby of this node) and unpauses the repmgrds. Returns once repmgr reported success and both
     * nodes answer with their new roles: this one primary and in repmgr's metadata, {@code oldPrimary} a standby
     * streaming from it. Bounded in time; logged to this node's commands.log, the remote commands to
     * {@link #sshStandInLog()}.
     *
     * <p>How repmgr reaches the other node: it runs {@code ssh -o Batchmode=yes <ssh_options> <host> <command>}
     * through popen(), as the postgres user (it refuses to run as root), where host is the host of the old primary's
     * conninfo and command names the old primary's own repmgr.conf, the path its node record holds (so each lab node
     * keeps its own file; nothing needs to sit at the same path). The lab has no sshd; a stand-in {@code ssh} script
     * first in repmgr's PATH maps the address to that lab host's namespace and runs the command there with
     * {@code sh -c}, as ssh would. Entering a network namespace takes CAP_SYS_ADMIN, which postgres lacks, so repmgr
     * runs as postgres with that one capability as an ambient capability (setpriv), inherited by its children; the
     * stand-in enters the namespace (nsenter) and drops it before the command runs. It matters where the command
     * runs: {@code node rejoin} starts the old primary's server, which must listen in its own host's namespace.
     * Lab only: the local repmgr and what it runs (event_notification_command included) hold CAP_SYS_ADMIN meanwhile.
     *
     * @return from the start of repmgr until both nodes answered with their new roles
     */
    public Duration switchoverFrom(LabPostgres oldPrimary) throws IOException {
        if (oldPrimary == this) {
            throw new IllegalArgumentException(name() + ": a switchover needs another node");
        }
        for (Path binary : List.of(SETPRIV, NSENTER)) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException(binary + " is missing: install util-linux");
            }
        }
        if (role() != Role.STANDBY) {
            throw new IllegalStateException(name() + ": a switchover runs on a standby, this node is " + role());
        }
        Path standIn = writeSshStandIn();
        List<String> command = new ArrayList<>(List.of(SETPRIV.toString(), "--reuid=postgres", "--regid=postgres", "--init-groups",
                "--reset-env", "--inh-caps=+sys_admin", "--ambient-caps=+sys_admin", "--",
                "/usr/bin/env", "PATH=" + standIn + ":/usr/bin:/bin"));
        command.addAll(repmgrCommand("standby", "switchover", "--verbose"));
        oldPrimary.appendToCommandsLog("# " + name() + ": repmgr standby switchover demotes this node (" + commandsLog + ", "
                + sshStandInLog + ")\n");
        long started = System.nanoTime();
        check(command, run(SWITCHOVER_LIMIT, List.of(), command, true));
        String expectedUpstream = host.ipv4();
        long end = System.nanoTime() + SETTLE_LIMIT.toNanos();
        while (!(role() == Role.PRIMARY && registeredPrimary().equals(Optional.of(name()))
                && oldPrimary.role() == Role.STANDBY && oldPrimary.upstream().equals(Optional.of(expectedUpstream)))) {
            if (System.nanoTime() - end >= 0) {
                throw new IOException(name() + ": repmgr reported a switchover from " + oldPrimary.name() + ", but within "
                        + SETTLE_LIMIT.toSeconds() + " s " + name() + " is " + role() + " (repmgr's primary: "
                        + registeredPrimary().orElse("-") + ") and " + oldPrimary.name() + " is " + oldPrimary.role()
                        + " streaming from " + oldPrimary.upstream().orElse("nobody") + "\n" + diagnostics() + oldPrimary.diagnostics());
            }
            pause(50);
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    // ---- queries ---------------------------------------------------------------------------------------------

    /** PRIMARY or STANDBY from {@code pg_is_in_recovery()} over the local socket; DOWN when it does not answer. */
    public Role role() {
        return switch (queryQuietly("postgres", "SELECT pg_is_in_recovery()")) {
            case "f" -> Role.PRIMARY;
            case "t" -> Role.STANDBY;
            default -> Role.DOWN;
        };
    }

    /**
     * The node's timeline: a primary's is the one it writes WAL on; a standby's is the one it receives from its
     * upstream (the latest checkpoint's while it receives nothing).
     */
    public int timeline() throws IOException {
        return Integer.parseInt(query("postgres", """
                SELECT CASE WHEN pg_is_in_recovery()
                    THEN coalesce((SELECT received_tli FROM pg_stat_wal_receiver), (pg_control_checkpoint()).timeline_id)
                    ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END"""));
    }

    /** The address a standby streams from ({@code pg_stat_wal_receiver.sender_host}); empty if it streams from nobody. */
    public Optional<String> upstream() {
        String sender = queryQuietly("postgres", "SELECT sender_host FROM pg_stat_wal_receiver WHERE status = 'streaming'");
        return sender.isEmpty() ? Optional.empty() : Optional.of(sender);
    }

    /**
     * The node that repmgr's metadata on this node records as the active primary. {@code repmgr standby promote}
     * updates it after the server has left recovery, so a promotion is complete (and a rejoin can target the new
     * primary) only once this names the promoted node.
     */
    public Optional<String> registeredPrimary() {
        String primary = queryQuietly(REPMGR_USER, "SELECT node_name FROM repmgr.nodes WHERE type = 'primary' AND active");
        return primary.isEmpty() || primary.contains("\n") ? Optional.empty() : Optional.of(primary);
    }

    /** The ids in {@value #APP_DATABASE}.{@value #WRITES_TABLE} on this node (a standby answers too). */
    public SortedSet<Long> writtenIds() throws IOException {
        SortedSet<Long> ids = new TreeSet<>();
        for (String line : query(APP_DATABASE, "SELECT id FROM " + WRITES_TABLE).split("\n")) {
            if (!line.isBlank()) {
                ids.add(Long.parseLong(line.strip()));
            }
        }
        return ids;
    }

    /** One SQL command through psql as postgres over the local socket; the unaligned, tuples-only output, trimmed. */
    public String query(String database, String sql) throws IOException {
        Result result = run(QUERY_LIMIT, psqlCommand(database, sql), false);
        if (result.exit() != 0) {
            throw new IOException(name() + ": psql failed (exit " + result.exit() + "): " + result.output().strip());
        }
        return result.output().strip();
    }

    /** {@code repmgr cluster show}, whatever its exit code (it is non-zero while a node is down): for diagnostics. */
    public String clusterShow() {
        try {
            return run(QUERY_LIMIT, repmgrCommand("cluster", "show"), false).output();
        } catch (IOException e) {
            return name() + ": repmgr cluster show: " + e.getMessage() + "\n";
        }
    }

    /** Role, the ends of the server's, repmgrd's and the commands' logs: what a failed assertion should show. */
    public String diagnostics() {
        return "---- " + name() + ": " + role() + (isRunning() ? "" : " (postmaster not running)") + ", repmgrd "
                + (repmgrdRunning() ? "running" : "not running") + "\n"
                + "-- postgres.log\n" + tail(log, 15) + "\n-- repmgrd.log\n" + tail(repmgrdLog, 25) + "\n-- commands.log\n"
                + tail(commandsLog, 25) + "\n"
                + (Files.exists(sshStandInLog) ? "-- ssh-standin.log\n" + tail(sshStandInLog, 10) + "\n" : "");
    }

    /** Stops repmgrd, SIGKILLs PostgreSQL if it runs, deletes the data directory; safe to call twice, never throws. */
    @Override
    public void close() {
        stopRepmgrd();
        try {
            if (isRunning()) {
                kill();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println(name() + ": could not kill PostgreSQL: " + e.getMessage());
        }
        try {
            deleteDataDir();
        } catch (IOException e) {
            System.err.println(name() + ": could not delete " + dataDir + ": " + e.getMessage());
        }
    }

    // ---- internals -------------------------------------------------------------------------------------------

    private void cloneAndRegister(LabPostgres upstream, boolean force) throws IOException {
        List<String> clone = repmgrCommand("-h", upstream.host.ipv4(), "-p", Integer.toString(PORT), "-U", REPMGR_USER, "-d", REPMGR_USER,
                "standby", "clone", "--fast-checkpoint");
        operation(LONG_LIMIT, clone);
        start();
        List<String> register = new ArrayList<>(repmgrCommand("standby", "register", "--wait-sync=20"));
        if (force) {
            register.add("--force");
        }
        operation(COMMAND_LIMIT, register);
    }

    /**
     * {@code pg-<host>} owned by postgres, mode 700; the lab's folder (root's, 700) gets search permission for
     * others so that postgres can reach it.
     */
    private void prepareNodeDir() throws IOException {
        if (Files.exists(dataDir)) {
            throw new IllegalStateException(name() + ": " + dataDir + " exists already");
        }
        Set<PosixFilePermission> labPermissions = Files.getPosixFilePermissions(lab.workDir());
        labPermissions.add(PosixFilePermission.GROUP_EXECUTE);
        labPermissions.add(PosixFilePermission.OTHERS_EXECUTE);
        Files.setPosixFilePermissions(lab.workDir(), labPermissions);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        view.setOwner(users.lookupPrincipalByName("postgres"));
        view.setGroup(users.lookupPrincipalByGroupName("postgres"));
        Files.writeString(dir.resolve("node.conf"), nodeSettings(dir, name()));
        Files.writeString(repmgrConf, repmgrSettings());
    }

    /**
     * Writes the lab's ssh stand-in ({@link #switchoverFrom}) to {@code ssh-standin/ssh} in this node's folder, with
     * every host of the lab (address and name) mapped to its namespace; returns its folder, for PATH.
     */
    private Path writeSshStandIn() throws IOException {
        StringBuilder hosts = new StringBuilder();
        for (NetnsLab.Host h : lab.hosts()) {
            hosts.append("    ").append(h.ipv4()).append('|').append(h.name()).append(") ns=").append(h.namespace()).append(" ;;\n");
        }
        String script = """
                #!/bin/sh
                # The omlha lab's stand-in for ssh (LabPostgres.switchoverFrom); never for production. repmgr runs
                #   ssh -o Batchmode=yes <ssh_options> [-l user] <host> <command...>
                # As ssh does, this joins <command...> with spaces and runs it with sh -c; here in the network namespace
                # of the lab host with that address or name, as the caller (postgres), the caller's CAP_SYS_ADMIN (only
                # there to enter the namespace) dropped first.
                log=%s
                while [ $# -gt 0 ]; do
                    case "$1" in
                        -[BbcDEeFIiJLlmOopQRSWw]) shift 2 ;;  # ssh options that take a value
                        -*) shift ;;
                        *) break ;;
                    esac
                done
                if [ $# -eq 0 ]; then
                    echo "lab ssh stand-in: no host given" >&2
                    exit 255
                fi
                host=${1#*@}
                shift
                case "$host" in
                %s    *) echo "lab ssh stand-in: $host is no host of this lab" >&2; exit 255 ;;
                esac
                echo "$(date +%%s%%3N) $host start: $*" >> "$log"
                cd "$HOME" 2>/dev/null || cd /
                %s --net=/run/netns/$ns -- %s --inh-caps=-all --ambient-caps=-all -- /bin/sh -c "$*"
                status=$?
                echo "$(date +%%s%%3N) $host exit $status" >> "$log"
                exit $status
                """.formatted(sshStandInLog, hosts, NSENTER, SETPRIV);
        Path folder = dir.resolve("ssh-standin");
        Files.createDirectories(folder);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path ssh = folder.resolve("ssh");
        Files.writeString(ssh, script);
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwxr-xr-x"));
        return folder;
    }

    /**
     * postmaster.pid, and the socket's lock file, left by a postmaster that is dead or a zombie (nobody reaps it in
     * some containers): remove them, or the next postmaster refuses to start.
     */
    private void removeStalePidFile() throws IOException {
        OptionalLong pid = postmasterPid();
        if (pid.isPresent() && !alive(pid.getAsLong())) {
            Files.deleteIfExists(dataDir.resolve("postmaster.pid"));
            appendToCommandsLog("# removed postmaster.pid of dead postmaster " + pid.getAsLong() + "\n");
        }
        Path socketLock = dir.resolve(".s.PGSQL." + PORT + ".lock");
        OptionalLong lockPid = firstLinePid(socketLock);
        if (lockPid.isPresent() && !alive(lockPid.getAsLong())) {
            Files.deleteIfExists(socketLock);
            Files.deleteIfExists(dir.resolve(".s.PGSQL." + PORT));
            appendToCommandsLog("# removed the socket lock of dead postmaster " + lockPid.getAsLong() + "\n");
        }
    }

    private static OptionalLong firstLinePid(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private OptionalLong postmasterPid() {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Alive and not a zombie, from /proc/PID/stat. */
    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void deleteDataDir() throws IOException {
        if (!Files.exists(dataDir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dataDir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private List<String> pgCtl(String... arguments) {
        List<String> command = new ArrayList<>(List.of(BIN.resolve("pg_ctl").toString(), "-w", "-t", "30", "-D", dataDir.toString()));
        command.addAll(List.of(arguments));
        return command;
    }

    private List<String> repmgrCommand(String... arguments) {
        List<String> command = new ArrayList<>(List.of(BIN.resolve("repmgr").toString(), "-f", repmgrConf.toString()));
        command.addAll(List.of(arguments));
        return command;
    }

    private List<String> psqlCommand(String database, String... sql) {
        return psqlAs("postgres", database, sql);
    }

    /** psql over the node's socket; each SQL command its own {@code -c} (so CREATE DATABASE runs outside a transaction). */
    private List<String> psqlAs(String user, String database, String... sql) {
        List<String> command = new ArrayList<>(List.of(BIN.resolve("psql").toString(), "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
                "-d", "host=" + dir + " port=" + PORT + " user=" + user + " dbname=" + database + " connect_timeout=2"));
        for (String s : sql) {
            command.add("-c");
            command.add(s);
        }
        return command;
    }

    private String queryQuietly(String database, String sql) {
        try {
            Result result = run(QUERY_LIMIT, psqlCommand(database, sql), false);
            return result.exit() == 0 ? result.output().strip() : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs a command that must succeed, logged to commands.log. */
    private String operation(Duration limit, String... command) throws IOException {
        return operation(limit, List.of(command));
    }

    private String operation(Duration limit, List<String> command) throws IOException {
        return check(command, run(limit, command, true));
    }

    private String check(List<String> command, Result result) throws IOException {
        if (result.exit() != 0) {
            throw new IOException(name() + ": " + String.join(" ", command) + " failed (exit " + result.exit() + "):\n" + result.output().strip());
        }
        return result.output();
    }

    private record Result(int exit, String output) {}

    /** As postgres, inside the host's namespace, from the node's folder, without the JVM's PG* variables; bounded. */
    private Result run(Duration limit, List<String> command, boolean logged) throws IOException {
        return run(limit, AS_POSTGRES, command, logged);
    }

    /** {@code command} after {@code asPostgres} (what makes it run as postgres) inside the host's namespace; bounded. */
    private Result run(Duration limit, List<String> asPostgres, List<String> command, boolean logged) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
        full.addAll(asPostgres);
        full.addAll(command);
        Path output = Files.createTempFile(lab.workDir(), "pg-command-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(full).directory(Files.isDirectory(dir) ? dir.toFile() : lab.workDir().toFile())
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(output.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
            long started = System.nanoTime();
            Process process = builder.start();
            boolean ended;
            try {
                ended = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ended = false;
            }
            if (!ended) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            String text = new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
            long millis = (System.nanoTime() - started) / 1_000_000;
            if (logged) {
                appendToCommandsLog("$ " + String.join(" ", command) + "   # " + (ended ? "exit " + process.exitValue() : "killed") + " after "
                        + millis + " ms\n" + text + (text.endsWith("\n") || text.isEmpty() ? "" : "\n"));
            }
            if (!ended) {
                throw new IOException(name() + ": " + String.join(" ", command) + ": not done in " + limit.toSeconds() + " s:\n" + text.strip());
            }
            return new Result(process.exitValue(), text);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private void appendToCommandsLog(String text) {
        try {
            Files.writeString(commandsLog, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // diagnostics only
        }
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
            return all.stream().skip(Math.max(0, all.size() - lines)).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "(no " + file.getFileName() + ")";
        }
    }

    private static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
