package org.omnileads.omlha.agent.config;

/**
 * A group whose VIP follows a database role: the node holds the VIP while its probe sees the local server in
 * {@code role}: {@code primary} or {@code standby} of a {@code postgresql} probe, or {@code master} of a {@code redis}
 * probe with Sentinel (the local Redis answers ROLE master and a majority of the configured Sentinels name it).
 * The group's {@code priority} is the base the role adjusts.
 */
public record Follow(String probe, Role role) {

    public enum Role {
        PRIMARY, STANDBY, MASTER
    }
}
