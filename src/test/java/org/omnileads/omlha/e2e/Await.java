package org.omnileads.omlha.e2e;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling for the labs: every wait has a time limit and says what it waited for when it fails. */
final class Await {
    private Await() {}

    static void until(Duration limit, String what, BooleanSupplier condition) {
        until(limit, what, condition, () -> "");
    }

    static void until(Duration limit, String what, BooleanSupplier condition, Supplier<String> diagnostics) {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() - end < 0) {
            if (condition.getAsBoolean()) {
                return;
            }
            sleep(5);
        }
        if (!condition.getAsBoolean()) {
            throw new AssertionError("not within " + limit.toMillis() + " ms: " + what + "\n" + diagnostics.get());
        }
    }

    /** Checks that {@code condition} holds throughout {@code period} (sampled), e.g. "no flapping". */
    static void holds(Duration period, String what, BooleanSupplier condition, Supplier<String> diagnostics) {
        long end = System.nanoTime() + period.toNanos();
        while (System.nanoTime() - end < 0) {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("stopped holding: " + what + "\n" + diagnostics.get());
            }
            sleep(20);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
