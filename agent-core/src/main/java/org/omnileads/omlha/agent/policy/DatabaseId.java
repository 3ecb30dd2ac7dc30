package org.omnileads.omlha.agent.policy;

import java.util.Objects;

/**
 * One database a postgresql probe looks at: its own ({@code peer} null) or one of its {@code peers}
 * ({@code peer} the host:port of that peer). The key of the follow policy's results.
 */
public record DatabaseId(String probe, String peer) {

    public DatabaseId {
        Objects.requireNonNull(probe, "probe");
    }

    public static DatabaseId local(String probe) {
        return new DatabaseId(probe, null);
    }

    public static DatabaseId peer(String probe, String hostPort) {
        return new DatabaseId(probe, Objects.requireNonNull(hostPort, "hostPort"));
    }

    /** The probe's own database, not a peer's. */
    public boolean isLocal() {
        return peer == null;
    }

    /** {@code pg}, or {@code pg@192.0.2.12:5432} for a peer: the name status and messages show. */
    public String displayName() {
        return peer == null ? probe : probe + "@" + peer;
    }
}
