package org.omnileads.omlha.labservices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * When a host held an address (a VIP): {@code ip -ts monitor address} in its namespace (an event per change, stamped by ip to the
 * microsecond as it reads it from netlink), plus whether it held the VIP when the watch started. Times are on
 * {@link System#nanoTime()}, converted from the monitor's wall-clock stamps by the offset measured at the start.
 */
public final class AddressWatch implements AutoCloseable {
    /** One period during which the host held the VIP, [from, to) on nanoTime; to = Long.MAX_VALUE while still held. */
    public record Held(long from, long to) {}

    private final NetnsLab.Host host;
    private final String vip;
    private final Path out;
    private final Process monitor;
    private final boolean initiallyHeld;
    private final long startNanos;
    /** epoch micros - nanoTime / 1000, measured at the start. */
    private final long offsetMicros;

    private AddressWatch(NetnsLab lab, NetnsLab.Host host, String vip) throws IOException, InterruptedException {
        this.host = host;
        this.vip = vip;
        this.out = lab.workDir().resolve("addresswatch-" + host.name() + "-" + System.nanoTime() + ".txt");
        this.monitor = new ProcessBuilder("ip", "-ts", "-n", host.namespace(), "monitor", "address").redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        Thread.sleep(150); // ip subscribes to netlink within milliseconds; this leaves it room on a loaded machine
        Instant now = Instant.now();
        long nano = System.nanoTime();
        this.offsetMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000 - nano / 1000;
        this.startNanos = nano;
        this.initiallyHeld = holdsNow(lab, host, vip);
    }

    public static AddressWatch start(NetnsLab lab, NetnsLab.Host host, String vip) throws IOException, InterruptedException {
        return new AddressWatch(lab, host, vip);
    }

    /** epoch micros of a nanoTime instant (for logs). */
    public long epochMicros(long nanos) {
        return offsetMicros + nanos / 1000;
    }

    /** The periods the host held the VIP since the watch started (read from the monitor's output so far). */
    public List<Held> periods() throws IOException {
        List<Held> periods = new ArrayList<>();
        long since = initiallyHeld ? startNanos : -1;
        boolean held = initiallyHeld;
        long stampNanos = 0;
        String needle = "inet " + vip + "/";
        for (String line : Files.readAllLines(out)) {
            if (line.startsWith("[")) {
                int close = line.indexOf(']');
                LocalDateTime stamp = LocalDateTime.parse(line.substring(1, close));
                Instant at = stamp.atZone(ZoneId.systemDefault()).toInstant();
                long micros = at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
                stampNanos = (micros - offsetMicros) * 1000;
            }
            if (!line.contains(needle)) {
                continue;
            }
            boolean deleted = line.contains("Deleted");
            if (deleted && held) {
                periods.add(new Held(since, stampNanos));
                held = false;
            } else if (!deleted && !held) {
                since = stampNanos;
                held = true;
            }
        }
        if (held) {
            periods.add(new Held(since, Long.MAX_VALUE));
        }
        return periods;
    }

    /** Whether the host held the VIP at {@code nanos}. */
    public boolean heldAt(long nanos) throws IOException {
        return periods().stream().anyMatch(p -> p.from() - nanos <= 0 && (p.to() == Long.MAX_VALUE || nanos - p.to() < 0));
    }

    /** The first time at or after {@code nanos} that the host did not hold the VIP, or empty if it held it since. */
    public java.util.OptionalLong releasedAfter(long nanos) throws IOException {
        for (Held p : periods()) {
            if (p.from() - nanos <= 0 && (p.to() == Long.MAX_VALUE || nanos - p.to() < 0)) {
                return p.to() == Long.MAX_VALUE ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(p.to());
            }
        }
        return java.util.OptionalLong.of(nanos);
    }

    /** Milliseconds within [from, to) during which both watches' hosts held the VIP. */
    public static double overlapMillis(AddressWatch a, AddressWatch b, long from, long to) throws IOException {
        long total = 0;
        for (Held x : a.periods()) {
            for (Held y : b.periods()) {
                long start = max(from, max(x.from(), y.from()));
                long end = min(to, min(x.to(), y.to()));
                if (end - start > 0) {
                    total += end - start;
                }
            }
        }
        return total / 1e6;
    }

    private static long max(long a, long b) {
        return a - b >= 0 ? a : b;
    }

    private static long min(long a, long b) {
        if (a == Long.MAX_VALUE) {
            return b;
        }
        if (b == Long.MAX_VALUE) {
            return a;
        }
        return a - b <= 0 ? a : b;
    }

    private static boolean holdsNow(NetnsLab lab, NetnsLab.Host host, String vip) {
        try {
            return lab.holds(host, vip);
        } catch (IOException e) {
            return false;
        }
    }

    public NetnsLab.Host host() {
        return host;
    }

    @Override
    public void close() {
        stop(monitor);
    }

    /** Ends an {@code ip monitor} process: SIGTERM, SIGKILL if it is not gone within 5 s. */
    public static void stop(Process monitor) {
        monitor.destroy();
        try {
            if (!monitor.waitFor(5, TimeUnit.SECONDS)) {
                monitor.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            monitor.destroyForcibly();
        }
    }
}
