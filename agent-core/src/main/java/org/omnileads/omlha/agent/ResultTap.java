package org.omnileads.omlha.agent;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.omnileads.omlha.agent.policy.DatabaseId;
import org.omnileads.omlha.probes.Probe;
import org.omnileads.omlha.probes.ProbeResult;

/**
 * A probe of a database whose every result is also handed to {@code sink}, with the database it is about: the
 * scheduler reports only up/down changes, but a PostgreSQL role or timeline can change while the probe stays up (a
 * promotion), and the follow policy needs it.
 */
final class ResultTap implements Probe {
    private final Probe probe;
    private final DatabaseId database;
    private final BiConsumer<DatabaseId, ProbeResult> sink;

    ResultTap(Probe probe, DatabaseId database, BiConsumer<DatabaseId, ProbeResult> sink) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.database = Objects.requireNonNull(database, "database");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public String name() {
        return probe.name();
    }

    @Override
    public CompletableFuture<ProbeResult> check() {
        return probe.check().whenComplete((result, failure) -> {
            if (result != null) {
                sink.accept(database, result);
            }
        });
    }

    @Override
    public void watch(Runnable changed) {
        probe.watch(changed);
    }

    @Override
    public int eventChecksPerInterval() {
        return probe.eventChecksPerInterval();
    }

    @Override
    public void close() {
        probe.close();
    }
}
