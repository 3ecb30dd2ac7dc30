package org.omnileads.omlha.probes;

import java.util.Locale;

/**
 * What the {@code redis} probe saw: the node's {@code role} as ROLE says it ({@code null} when the node did not
 * answer), for a replica its master's {@code masterAddr} (host:port) and {@code masterLink} state; with Sentinel,
 * the {@code sentinelMaster} most Sentinels name (host:port, {@code null} when none names one), whether that is this
 * node, and the count behind it: {@code sentinelsAgreeing} name it, {@code sentinelsAnswered} answered, out of
 * {@code sentinelsConfigured} (0 without Sentinel).
 */
public record RedisFacts(Role role, String masterAddr, String masterLink, String sentinelMaster,
                         boolean sentinelMasterIsThisNode, int sentinelsAgreeing, int sentinelsAnswered,
                         int sentinelsConfigured) implements ServiceFacts {

    /** Facts without a Sentinel view. */
    public RedisFacts(Role role, String masterAddr, String masterLink) {
        this(role, masterAddr, masterLink, null, false, 0, 0, 0);
    }

    /** These facts with the Sentinels' {@code votes}; {@code thisNode}: the master they name is this node. */
    RedisFacts withSentinels(SentinelVotes votes, boolean thisNode) {
        return new RedisFacts(role, masterAddr, masterLink, votes.master(), votes.master() != null && thisNode,
                votes.agreeing(), votes.answered(), votes.configured());
    }

    /** Whether more than half of the configured Sentinels name this node as the master (unreachable ones count against). */
    public boolean electedBySentinels() {
        return sentinelMasterIsThisNode && sentinelsConfigured > 0
                && sentinelsAgreeing >= SentinelVotes.majorityOf(sentinelsConfigured);
    }

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
