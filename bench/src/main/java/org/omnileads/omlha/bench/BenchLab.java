package org.omnileads.omlha.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.omnileads.omlha.agent.lab.NetnsLab;

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
}
