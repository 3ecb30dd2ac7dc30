package org.omnileads.omlha.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The trials of one bench cell, in milliseconds, reported as "median / max". */
record BenchStats(List<Double> values) {
    double median() {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    double max() {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** Whole milliseconds. */
    static String fmt(double value) {
        return BenchFormat.decimals(value, 0);
    }

    @Override
    public String toString() {
        return fmt(median()) + " / " + fmt(max());
    }
}
