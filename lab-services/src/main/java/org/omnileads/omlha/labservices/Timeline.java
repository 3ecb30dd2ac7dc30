package org.omnileads.omlha.labservices;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/** The gaps between successes in what a lab client recorded: requests or writes, each with when it ended. */
final class Timeline {
    private Timeline() {
    }

    /** Two successive successes and the time between them (by when they ended). */
    record Span<T>(T before, T after) {
    }

    /** The last entry that succeeded, if any. */
    static <T> Optional<T> lastSuccess(List<T> entries, Predicate<T> ok) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (ok.test(entries.get(i))) {
                return Optional.of(entries.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * The longest gap between two successive successful entries (by {@code ended}, on {@link System#nanoTime()})
     * whose later one ended at or after {@code fromNanos}, so a gap that begins just before it counts whole;
     * empty without a success on both sides of a gap.
     */
    static <T> Optional<Span<T>> longestGap(List<T> entries, Predicate<T> ok, ToLongFunction<T> ended, long fromNanos) {
        List<T> successes = new ArrayList<>(entries.stream().filter(ok).toList());
        successes.sort(Comparator.comparingLong(e -> ended.applyAsLong(e) - fromNanos));
        T before = null;
        T after = null;
        for (int i = 1; i < successes.size(); i++) {
            T previous = successes.get(i - 1);
            T next = successes.get(i);
            boolean counts = ended.applyAsLong(next) - fromNanos >= 0;
            if (counts && (after == null
                    || ended.applyAsLong(next) - ended.applyAsLong(previous) > ended.applyAsLong(after) - ended.applyAsLong(before))) {
                before = previous;
                after = next;
            }
        }
        return after == null ? Optional.empty() : Optional.of(new Span<>(before, after));
    }

    /** How many failed entries come strictly between the two ends of {@code span} in {@code order} (send time or id). */
    static <T> int failedWithin(List<T> entries, Predicate<T> ok, ToLongFunction<T> order, Span<T> span) {
        long from = order.applyAsLong(span.before());
        long to = order.applyAsLong(span.after());
        return (int) entries.stream()
                .filter(e -> !ok.test(e) && order.applyAsLong(e) - from > 0 && order.applyAsLong(e) - to < 0)
                .count();
    }
}
