package org.omnileads.omlha.probes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the configured Sentinels say of one master name, counted. Pure. {@code master} is the address (host:port) most
 * of them name ({@code null} when none names any), {@code agreeing} how many name it, {@code answered} how many
 * answered at all, out of {@code configured}. The verdict that counts is {@link #majority()}: a strict majority of the
 * <em>configured</em> Sentinels, so a Sentinel that cannot be reached counts against it, as Sentinel's own failover
 * authorisation does: a node cut off from most Sentinels is never the master by their word.
 */
public record SentinelVotes(String master, int agreeing, int answered, int configured) {

    public SentinelVotes {
        if (configured < 0 || answered < 0 || answered > configured || agreeing < 0 || agreeing > answered) {
            throw new IllegalArgumentException("impossible count: " + agreeing + " agreeing, " + answered + " answered, "
                    + configured + " configured");
        }
        if (master == null && agreeing != 0) {
            throw new IllegalArgumentException(agreeing + " agree on no master");
        }
    }

    /**
     * Counts the answers, one per configured Sentinel in the configuration's order: the host:port it names, {@code ""}
     * when it knows no such master, {@code null} when it did not answer. A tie is won by the address named first.
     */
    public static SentinelVotes count(List<String> answers) {
        Map<String, Integer> votes = new LinkedHashMap<>();
        int answered = 0;
        for (String named : answers) {
            if (named == null) {
                continue;
            }
            answered++;
            if (!named.isEmpty()) {
                votes.merge(named, 1, Integer::sum);
            }
        }
        String master = null;
        int agreeing = 0;
        for (Map.Entry<String, Integer> vote : votes.entrySet()) {
            if (vote.getValue() > agreeing) {
                master = vote.getKey();
                agreeing = vote.getValue();
            }
        }
        return new SentinelVotes(master, agreeing, answered, answers.size());
    }

    /** How many of {@code configured} Sentinels make a majority: more than half. */
    public static int majorityOf(int configured) {
        return configured / 2 + 1;
    }

    /** Whether more than half of the configured Sentinels name {@link #master()}. */
    public boolean majority() {
        return master != null && agreeing >= majorityOf(configured);
    }

    /** The addresses named, with how many name each, for a message when they disagree; empty when they agree. */
    static List<String> disagreement(List<String> answers) {
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (String named : answers) {
            if (named != null) {
                votes.merge(named.isEmpty() ? "none" : named, 1, Integer::sum);
            }
        }
        List<String> said = new ArrayList<>();
        if (votes.size() > 1) {
            votes.forEach((address, n) -> said.add(address + " by " + n));
        }
        return said;
    }
}
