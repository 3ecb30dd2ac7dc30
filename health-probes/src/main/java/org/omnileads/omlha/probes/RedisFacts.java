package org.omnileads.omlha.probes;

import java.util.Locale;

/**
 * What the {@code redis} probe saw: the node's {@code role} as ROLE says it ({@code null} when the node did not
 * answer), for a replica its master's {@code masterAddr} (host:port) and {@code masterLink} state; with Sentinel,
 * the {@code sentinelMaster} most Sentinels name (host:port, {@code null} without a verdict) and whether that is
 * this node.
 */
public record RedisFacts(Role role, String masterAddr, String masterLink, String sentinelMaster,
                         boolean sentinelMasterIsThisNode) implements ServiceFacts {

    public enum Role {
        MASTER, SLAVE, SENTINEL, UNKNOWN;

        /** ROLE's first word; anything else is {@link #UNKNOWN}. */
        static Role of(Object word) {
            for (Role role : values()) {
                if (role.text().equals(word)) {
                    return role;
                }
            }
            return UNKNOWN;
        }

        /** {@code master}, {@code slave}, {@code sentinel} or {@code unknown}. */
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
