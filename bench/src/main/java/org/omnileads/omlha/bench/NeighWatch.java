package org.omnileads.omlha.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Locale;
import java.util.OptionalLong;
import org.omnileads.omlha.labservices.AddressWatch;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * When a host's neighbour table learned a MAC for an address: {@code ip -ts monitor neigh} in its namespace (the
 * client's), stamped by ip as it reads each event. Tells whether a caller waited for the VIP to move or for its ARP
 * entry to follow (a gratuitous ARP it took, or its own ARP request answered). Times are on
 * {@link System#nanoTime()}, converted with an offset taken at the start, as in {@link AddressWatch}.
 */
final class NeighWatch implements AutoCloseable {
    private final String address;
    private final Path out;
    private final Process monitor;
    private final long offsetMicros;

    private NeighWatch(NetnsLab lab, NetnsLab.Host host, String address) throws IOException, InterruptedException {
        this.address = address;
        this.out = lab.workDir().resolve("neighwatch-" + host.name() + "-" + System.nanoTime() + ".txt");
        this.monitor = new ProcessBuilder("ip", "-ts", "-n", host.namespace(), "monitor", "neigh").redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        Thread.sleep(150); // as AddressWatch: room for ip to subscribe on a loaded machine
        Instant now = Instant.now();
        long nano = System.nanoTime();
        this.offsetMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000 - nano / 1000;
    }

    static NeighWatch start(NetnsLab lab, NetnsLab.Host host, String address) throws IOException, InterruptedException {
        return new NeighWatch(lab, host, address);
    }

    /** The first event at or after {@code fromNanos} that gives {@code address} the link-layer address {@code mac}. */
    OptionalLong firstWithMac(String mac, long fromNanos) throws IOException {
        String needle = address + " ";
        String lladdr = "lladdr " + mac.toLowerCase(Locale.ROOT);
        for (String line : Files.readAllLines(out)) {
            if (!line.startsWith("[")) {
                continue;
            }
            int close = line.indexOf(']');
            if (close < 0) {
                continue;
            }
            String event = line.substring(close + 1).trim();
            if (!event.startsWith(needle) || !event.toLowerCase(Locale.ROOT).contains(lladdr) || event.startsWith("Deleted")) {
                continue;
            }
            Instant at = LocalDateTime.parse(line.substring(1, close)).atZone(ZoneId.systemDefault()).toInstant();
            long nanos = ((at.getEpochSecond() * 1_000_000 + at.getNano() / 1000) - offsetMicros) * 1000;
            if (nanos - fromNanos >= 0) {
                return OptionalLong.of(nanos);
            }
        }
        return OptionalLong.empty();
    }

    @Override
    public void close() {
        AddressWatch.stop(monitor);
    }
}
