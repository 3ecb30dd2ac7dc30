package org.omnileads.omlha.agent;

import java.util.Objects;

/**
 * One database a postgresql probe looks at: its own ({@code peer} null) or one of its {@code peers}
 * ({@code peer} the host:port of that peer). The key of the follow policy's results.
 */
record DatabaseId(String probe, String peer) {

    DatabaseId {
        Objects.requireNonNull(probe, "probe");
    }

    static DatabaseId local(String probe) {
        return new DatabaseId(probe, null);
    }

    static DatabaseId peer(String probe, String hostPort) {
        return new DatabaseId(probe, Objects.requireNonNull(hostPort, "hostPort"));
    }

    /** {@code pg}, or {@code pg@192.0.2.12:5432} for a peer: the name status and messages show. */
    String displayName() {
        return peer == null ? probe : probe + "@" + peer;
    }
}
