package org.omnileads.omlha.probes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import jnr.ffi.Pointer;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code process} probe: up while the process named by a pidfile runs. Event-driven: the probe holds a pidfd
 * for that process and a watcher thread {@code probe-<name>-pidfd} polls it, so the process's exit is told to the
 * scheduler at once (the watch callback), not at the next interval.
 *
 * <p>Down, with the reason: no pidfile, an unreadable or malformed one, or {@code process 1234 from /run/x.pid is
 * gone} (a stale pidfile; a zombie counts as gone). A pidfile rewritten by a restarted service is followed. Pid
 * reuse, best effort: once the probe holds a pidfd, a new process that got the same pid is not mistaken for the old
 * one unless the pidfile was rewritten; a pid already reused before the probe first read the pidfile cannot be told
 * apart. Without pidfds (Linux before 5.3, or a sandbox that forbids the call) the probe reads {@code /proc} on
 * each check and is not event-driven.
 */
public final class ProcessProbe extends AbstractProbe {
    private static final Logger log = LoggerFactory.getLogger(ProcessProbe.class);
    private static final int MAX_PIDFILE_BYTES = 128;
    private static final int POLL_MILLIS = 1000;
    private static final long CLOSE_WAIT_MILLIS = 2000;

    private final Path pidfile;
    private final Object lock = new Object();

    // guarded by lock
    private Target target;
    private final List<Integer> retired = new ArrayList<>();
    private Thread watcherThread;
    private int wakeFd = -1;
    private boolean pidfdUnsupported;

    /** The process the probe follows: its pid, a pidfd (or -1 without pidfds), the pidfile's time while it ran. */
    private static final class Target {
        final long pid;
        final int pidfd;
        FileTime pidfileTime;
        boolean notified;

        Target(long pid, int pidfd, FileTime pidfileTime) {
            this.pid = pid;
            this.pidfd = pidfd;
            this.pidfileTime = pidfileTime;
        }
    }

    /** {@code timeout} is accepted for symmetry with the other probes: a check reads a small local file. */
    public ProcessProbe(String name, Path pidfile, Duration timeout) {
        super(name, timeout);
        this.pidfile = Objects.requireNonNull(pidfile, "pidfile");
    }

    /** Reads the pidfile and asks whether its process runs, on the caller's thread: both are quick. */
    @Override
    void begin(Check check) {
        long pid;
        FileTime written;
        try {
            written = Files.getLastModifiedTime(pidfile);
            pid = parsePid(readHead());
            if (pid <= 0) {
                check.down("bad pidfile " + pidfile + ": '" + readHead().strip() + "'");
                return;
            }
        } catch (NoSuchFileException e) {
            check.down("no pidfile " + pidfile);
            return;
        } catch (IOException e) {
            check.down("cannot read " + pidfile + ": " + e.getMessage());
            return;
        }
        synchronized (lock) {
            if (closed()) {
                check.down(Check.CLOSED);
                return;
            }
            follow(pid, written);
            boolean running = target != null && (target.pidfd >= 0 ? !ProcessProbePidfd.exited(target.pidfd) : runs(pid));
            if (running) {
                check.up("process " + pid + describeCommand(pid) + " is running");
                return;
            }
            String gone = "process " + pid + " from " + pidfile + " is gone";
            if (target != null && runs(pid)) {
                gone += " (pid " + pid + " now belongs to another process)";
            }
            check.down(gone);
        }
    }

    @Override
    public void watch(Runnable changed) {
        super.watch(changed);
        synchronized (lock) {
            if (closed() || watcherThread != null || pidfdUnsupported) {
                return;
            }
            int fd = ProcessProbePidfd.eventfd();
            if (fd < 0) {
                log.warn("probe {}: no eventfd ({}), process exits are noticed at the next check", name, Native.describe(-fd));
                return;
            }
            wakeFd = fd;
            watcherThread = new Thread(this::watchLoop, "probe-" + name + "-pidfd");
            watcherThread.setDaemon(true);
            watcherThread.start();
        }
    }

    @Override
    void release() {
        Thread thread;
        synchronized (lock) {
            if (target != null) {
                retire(target);
                target = null;
            }
            thread = watcherThread;
            if (thread == null) {
                closeRetired();
            } else {
                ProcessProbePidfd.signal(wakeFd);
            }
        }
        if (thread != null) {
            try {
                thread.join(CLOSE_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Makes {@link #target} the process {@code pid} names now: a new pidfd when the pid or the pidfile changed. */
    private void follow(long pid, FileTime written) {
        if (target != null && target.pid == pid) {
            boolean running = target.pidfd < 0 || !target.notified && !ProcessProbePidfd.exited(target.pidfd);
            if (running) {
                target.pidfileTime = written;
                return;
            }
            if (target.pidfileTime.equals(written)) {
                return; // a stale pidfile: the process is gone
            }
        }
        if (target != null) {
            retire(target);
            target = null;
        }
        if (pidfdUnsupported) {
            target = new Target(pid, -1, written);
            return;
        }
        int fd = ProcessProbePidfd.open(pid);
        if (fd == -ProcessProbePidfd.ESRCH) {
            return;
        }
        if (fd < 0) {
            pidfdUnsupported = true;
            log.warn("probe {}: pidfd_open failed ({}); process exits are noticed at the next check", name,
                    Native.describe(-fd));
            target = new Target(pid, -1, written);
            return;
        }
        target = new Target(pid, fd, written);
        if (watcherThread != null) {
            ProcessProbePidfd.signal(wakeFd);
        }
    }

    /** The watcher may be polling the old pidfd: it closes it; without a watcher, close now. */
    private void retire(Target old) {
        if (old.pidfd >= 0) {
            retired.add(old.pidfd);
        }
        if (watcherThread == null) {
            closeRetired();
        } else {
            ProcessProbePidfd.signal(wakeFd);
        }
    }

    private void closeRetired() {
        retired.forEach(ProcessProbePidfd::close);
        retired.clear();
    }

    private void watchLoop() {
        Pointer fds = Native.allocate(16);
        try {
            while (true) {
                Target watched;
                synchronized (lock) {
                    if (closed()) {
                        return;
                    }
                    closeRetired();
                    watched = target != null && target.pidfd >= 0 && !target.notified ? target : null;
                }
                fds.putInt(0, wakeFd);
                fds.putShort(4, Linux.POLLIN);
                fds.putShort(6, (short) 0);
                int count = 1;
                if (watched != null) {
                    fds.putInt(8, watched.pidfd);
                    fds.putShort(12, Linux.POLLIN);
                    fds.putShort(14, (short) 0);
                    count = 2;
                }
                int ready = Native.LIBC.poll(fds, count, POLL_MILLIS);
                if (ready < 0) {
                    int errno = Native.errno();
                    if (errno == Linux.EINTR) {
                        continue;
                    }
                    log.error("probe {}: poll failed ({}); process exits are noticed at the next check", name,
                            Native.describe(errno));
                    return;
                }
                if (ready > 0 && fds.getShort(6) != 0) {
                    ProcessProbePidfd.drain(wakeFd);
                }
                if (ready > 0 && count == 2 && fds.getShort(14) != 0 && exitedNow(watched)) {
                    log.debug("probe {}: process {} exited", name, watched.pid);
                    changed();
                }
            }
        } finally {
            synchronized (lock) {
                closeRetired();
                ProcessProbePidfd.close(wakeFd);
                wakeFd = -1;
                watcherThread = null;
            }
        }
    }

    /** Marks {@code watched} told, if it is still the target; true when the scheduler must hear of it. */
    private boolean exitedNow(Target watched) {
        synchronized (lock) {
            if (closed() || target != watched || watched.notified) {
                return false;
            }
            watched.notified = true;
            return true;
        }
    }

    private String readHead() throws IOException {
        try (InputStream in = Files.newInputStream(pidfile)) {
            return new String(in.readNBytes(MAX_PIDFILE_BYTES), StandardCharsets.US_ASCII);
        }
    }

    /** The first token of the pidfile as a pid, or -1. */
    static long parsePid(String text) {
        String[] tokens = text.strip().split("\\s+", 2);
        try {
            long pid = Long.parseLong(tokens[0]);
            return pid > 0 && pid <= Integer.MAX_VALUE ? pid : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Alive and not a zombie, from {@code /proc/<pid>/stat}. */
    static boolean runs(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            int end = stat.lastIndexOf(')');
            char state = end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
            return state != 'Z' && state != 'X' && state != 'x';
        } catch (IOException e) {
            return false;
        }
    }

    private static String describeCommand(long pid) {
        try {
            String comm = Files.readString(Path.of("/proc", Long.toString(pid), "comm"), StandardCharsets.UTF_8).strip();
            return comm.isEmpty() ? "" : " (" + comm + ")";
        } catch (IOException e) {
            return "";
        }
    }
}
