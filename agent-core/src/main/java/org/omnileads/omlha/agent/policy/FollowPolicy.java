package org.omnileads.omlha.agent.policy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.omnileads.omlha.agent.config.Follow;
import org.omnileads.omlha.probes.PostgresFacts;
import org.omnileads.omlha.probes.ProbeResult;

/**
 * How a PostgreSQL VIP follows the database role (issue 4): the database decides, VRRP only carries the decision.
 * Pure. A read-write group holds its VIP only on a primary that is not stale; a read-only group prefers a healthy
 * standby and falls back to the primary with the lowest priority, so a healthy standby always takes it back. A
 * node whose database is unreachable, or unknown yet, holds neither (FAULT): writes must never reach a node that
 * is not the one true primary, even when nobody else can take the VIP.
 *
 * <p>A primary is stale when a peer database, asked through its own connection, is a primary on a newer timeline:
 * the old primary restarted after a failover without being rejoined.
 */
public final class FollowPolicy {
    /** A read-only group on the primary: the last resort, below any standby. */
    public static final int FALLBACK_PRIORITY = 1;

    private FollowPolicy() {}

    /** What the probe saw of one database. {@code result} null: no check finished yet. */
    public record Database(String name, ProbeResult result) {
        boolean reachable() {
            return result != null && result.up();
        }

        private Optional<PostgresFacts> facts() {
            return result == null ? Optional.empty() : result.facts(PostgresFacts.class);
        }

        String role() {
            return facts().map(f -> f.role().text()).orElse(null);
        }

        long timeline() {
            return facts().map(PostgresFacts::timeline).orElse(-1L);
        }

        boolean lagOk() {
            return facts().map(PostgresFacts::lagOk).orElse(true);
        }

        boolean healthyStandby() {
            return reachable() && "standby".equals(role()) && lagOk();
        }
    }

    /**
     * The group's priority and, when it may not hold the VIP, why; {@code stalePrimary} for status and metrics;
     * {@code rightful}: this node's database makes it the holder, so it takes the group as soon as no live master is
     * heard; {@code releaseAtOnce}: in this FAULT a master lets go of the VIP at once (a read-write VIP is never on
     * two nodes, and a database that is not the primary must take no write through it).
     */
    public record Outcome(int priority, String faultReason, boolean stalePrimary, boolean rightful, boolean releaseAtOnce) {
        static Outcome fault(int priority, String why, boolean stalePrimary, Follow.Role role) {
            return new Outcome(priority, why, stalePrimary, false, role == Follow.Role.PRIMARY);
        }

        static Outcome eligible(int priority, boolean rightful) {
            return new Outcome(priority, null, false, rightful, false);
        }
    }

    public static Outcome evaluate(Follow.Role role, int basePriority, Database self, List<Database> peers) {
        return evaluate(role, basePriority, self, peers, -1);
    }

    /**
     * @param peerPrimarySeenOn the newest timeline a peer was ever seen primary on (-1: none), remembered after that
     *     peer became unreachable: our primary on an older timeline is stale all the same
     */
    public static Outcome evaluate(Follow.Role role, int basePriority, Database self, List<Database> peers, long peerPrimarySeenOn) {
        if (self.result() == null) {
            return Outcome.fault(basePriority, "database " + self.name() + ": no result yet", false, role);
        }
        if (!self.reachable()) {
            return Outcome.fault(basePriority, "database " + self.name() + " unreachable: " + self.result().detail(), false, role);
        }
        boolean primary = "primary".equals(self.role());
        Database newer = primary ? newerPrimary(self, peers) : null;
        if (newer != null) {
            return Outcome.fault(basePriority, "stale primary: " + newer.name() + " is primary on timeline " + newer.timeline()
                    + ", we are on timeline " + self.timeline(), true, role);
        }
        if (primary && peerPrimarySeenOn > self.timeline()) {
            return Outcome.fault(basePriority, "stale primary: a peer was primary on timeline " + peerPrimarySeenOn
                    + " (unreachable now), we are on timeline " + self.timeline(), true, role);
        }
        if (role == Follow.Role.PRIMARY) {
            return primary ? Outcome.eligible(basePriority, true)
                    : Outcome.fault(basePriority, "database is a " + self.role() + ", not the primary", false, role);
        }
        if (primary) {
            // The read-only fallback: rightful only while no peer is a healthy standby that should have it.
            return Outcome.eligible(FALLBACK_PRIORITY, peers.stream().noneMatch(Database::healthyStandby));
        }
        if (!self.lagOk()) {
            return Outcome.fault(basePriority, "standby lags: " + self.result().detail(), false, role);
        }
        return Outcome.eligible(basePriority, true);
    }

    private static Database newerPrimary(Database self, List<Database> peers) {
        for (Database peer : peers) {
            if (peer.reachable() && "primary".equals(peer.role()) && peer.timeline() > self.timeline()) {
                return peer;
            }
        }
        return null;
    }

    /** A database a follow group looks at (its own or a peer), from the latest results by database. */
    public static Database database(DatabaseId database, Map<DatabaseId, ProbeResult> results) {
        return new Database(database.displayName(), results.get(database));
    }
}
