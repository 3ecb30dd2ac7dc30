package org.omnileads.omlha.agent.config;

/**
 * A group whose VIP follows a PostgreSQL role: the node holds the VIP while the {@code postgresql} probe sees
 * the local server in {@code role}. The group's {@code priority} is the base the role adjusts.
 */
public record Follow(String probe, Role role) {

    public enum Role {
        PRIMARY, STANDBY
    }
}
