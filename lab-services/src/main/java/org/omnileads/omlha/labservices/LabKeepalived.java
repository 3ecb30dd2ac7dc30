package org.omnileads.omlha.labservices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * A real keepalived (Debian's package) on a lab host, VRRP only, in the foreground, logging to a file: the
 * interop peer of the end-to-end tests and the baseline of the benchmarks.
 */
public final class LabKeepalived {
    private final NetnsLab lab;
    private final NetnsLab.Host host;
    private final Path dir;
    private final Path log;
    private Process process;

    public LabKeepalived(NetnsLab lab, NetnsLab.Host host) {
        this.lab = lab;
        this.host = host;
        this.dir = lab.workDir().resolve("keepalived-" + host.name());
        this.log = dir.resolve("keepalived.log");
    }

    public NetnsLab.Host host() {
        return host;
    }

    /** keepalived.conf for one vrrp_instance; {@code auth} e.g. "auth_type PASS\n auth_pass secret1" or "". */
    public static String instance(String name, int vrid, int priority, int version, String interval, String vip, String extra) {
        return "global_defs {\n  vrrp_version " + version + "\n  script_user root\n  enable_script_security\n"
                + "  vrrp_garp_master_delay 0\n}\n"
                + "vrrp_instance " + name + " {\n  state BACKUP\n  interface eth0\n  virtual_router_id " + vrid + "\n"
                + "  priority " + priority + "\n  advert_int " + interval + "\n"
                + "  virtual_ipaddress {\n    " + vip + " dev eth0\n  }\n" + extra + "}\n";
    }

    public void start(String config) throws IOException {
        Files.createDirectories(dir);
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, config);
        Files.deleteIfExists(dir.resolve("keepalived.pid"));
        Files.deleteIfExists(dir.resolve("vrrp.pid"));
        process = lab.start(host, List.of("keepalived", "--dont-fork", "--log-console", "--log-detail", "--vrrp",
                "--use-file=" + conf, "--pid=" + dir.resolve("keepalived.pid"), "--vrrp_pid=" + dir.resolve("vrrp.pid")), log);
    }

    /** SIGKILL of the whole keepalived (parent and VRRP child): no priority-0 advert. */
    public void kill() throws InterruptedException {
        List<ProcessHandle> all = new java.util.ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        // Wait until they are reaped: keepalived refuses to start while its old VRRP child's pid still exists.
        for (ProcessHandle handle : all) {
            try {
                handle.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("keepalived process " + handle.pid() + " did not exit", e);
            }
        }
        process.waitFor();
    }

    /** SIGTERM: keepalived's graceful stop. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            kill();
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public Process process() {
        return process;
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.stream().skip(Math.max(0, lines.size() - 30)).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
