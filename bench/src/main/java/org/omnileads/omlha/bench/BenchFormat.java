package org.omnileads.omlha.bench;

import java.util.Locale;

/** How the bench tables print numbers: fixed decimals, and the ratio omlha-agent / keepalived. */
final class BenchFormat {
    private BenchFormat() {
    }

    static String decimals(double value, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", value);
    }

    /** {@code agent / keepalived} with two decimals; "-" when keepalived's figure is 0 or missing. */
    static String ratio(double agent, double keepalived) {
        return keepalived == 0 || Double.isNaN(keepalived) ? "-" : decimals(agent / keepalived, 2);
    }
}
