package org.omnileads.omlha.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.omnileads.omlha.netns.NetnsLab;

/** What the benches poll in a two-node lab: who holds the VIP, and a bounded wait with both nodes' logs on failure. */
final class BenchLab {
    private BenchLab() {
    }

    /** Whether {@code host} holds {@code vip}; false when that cannot be read. */
    static boolean holds(NetnsLab lab, NetnsLab.Host host, String vip) {
        try {
            return lab.holds(host, vip);
        } catch (IOException e) {
            return false;
        }
    }

    /** Polls {@code condition} every {@code pauseMillis} for {@code limit}; throws with n1's and n2's logs if it never held. */
    static void await(BooleanSupplier condition, String what, Duration limit, long pauseMillis, Supplier<String> n1Log,
            Supplier<String> n2Log) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() - end < 0) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(pauseMillis);
        }
        throw new IllegalStateException("not within " + limit + ": " + what + "\n--- n1:\n" + n1Log.get() + "\n--- n2:\n" + n2Log.get());
    }

    /** How many of groups 1..{@code groups}' VIPs ({@link ResourceBench#vip}) {@code host} holds; -1 when that cannot be read. */
    static int vipsHeld(NetnsLab lab, NetnsLab.Host host, int groups) {
        try {
            List<String> words = List.of(lab.addresses(host).split("\\s+"));
            int held = 0;
            for (int g = 1; g <= groups; g++) {
                if (words.contains(ResourceBench.vip(g) + "/24")) {
                    held++;
                }
            }
            return held;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * tcpdump of the VRRP packets on {@code host}'s eth0, stamped to the microsecond ({@code -tt}), to {@code out};
     * returns once it is capturing, or throws with its stderr after {@code limit}.
     */
    static Process startVrrpCapture(NetnsLab.Host host, Path out, Path err, Duration limit, String... options)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace(), "tcpdump", "-i", "eth0", "-n", "-tt", "-l"));
        command.addAll(List.of(options));
        command.addAll(List.of("ip", "proto", "112"));
        Process capture = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        long end = System.nanoTime() + limit.toNanos();
        while (!Files.readString(err).contains("listening on")) {
            if (System.nanoTime() - end >= 0 || !capture.isAlive()) {
                capture.destroyForcibly();
                throw new IllegalStateException("tcpdump did not start: " + Files.readString(err));
            }
            Thread.sleep(10);
        }
        return capture;
    }
}
