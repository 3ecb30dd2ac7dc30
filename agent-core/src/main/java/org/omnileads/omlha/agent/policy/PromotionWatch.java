package org.omnileads.omlha.agent.policy;

import java.util.Optional;
import org.omnileads.omlha.probes.PostgresFacts;
import org.omnileads.omlha.probes.ProbeResult;

/**
 * When a standby's role is worth watching closely (issue 12): what comes just before a promotion. The probe runs every
 * second as users configure it; a promotion seen only at the next tick would leave the read-write VIP a second behind
 * the database. So the standby is checked every few tens of milliseconds, for a bounded window, from the moment its
 * primary seems gone:
 * <ul>
 *   <li>the primary's database, asked through the peer probe's own connection, became unreachable, or stopped being
 *       a primary (a switchover demoted it);
 *   <li>the standby's own WAL receiver stopped streaming (its upstream is gone);
 *   <li>the primary's agent resigned the read-write group (a priority-0 advert);
 *   <li>{@code omlha-agent event} (repmgr's {@code event_notification_command}) said something changed.
 * </ul>
 * The watch stops once the database is seen primary. Only changes start it (a primary that stays dead does not keep
 * the watch going), and only a standby is watched: nothing is polled while nothing happens. Pure.
 */
public final class PromotionWatch {
    private PromotionWatch() {}

    /** What to do with the close watch of the local database: nothing, start (or extend) it, or stop it. */
    public enum Action { NONE, START, STOP }

    /** An action and why, for the log. */
    public record Verdict(Action action, String why) {
        static final Verdict NONE = new Verdict(Action.NONE, null);
    }

    /**
     * A result of {@code database} arrived. {@code before}: its previous result (null for the first); {@code local}: the
     * local database's latest result (the same as {@code result} when {@code database} is the local one).
     */
    public static Verdict onResult(DatabaseId database, ProbeResult before, ProbeResult result, ProbeResult local) {
        if (database.isLocal()) {
            if (role(result).orElse(null) == PostgresFacts.Role.PRIMARY) {
                return new Verdict(Action.STOP, "database " + database.displayName() + " is the primary");
            }
            if (streamingStandby(before) && isStandby(result) && !streaming(result)) {
                return new Verdict(Action.START, "the standby's WAL receiver stopped streaming");
            }
            return Verdict.NONE;
        }
        if (!isStandby(local)) {
            return Verdict.NONE;
        }
        boolean wasUp = before == null || before.up();
        if (wasUp && !result.up()) {
            return new Verdict(Action.START, "peer database " + database.displayName() + " unreachable: " + result.detail());
        }
        if (role(before).orElse(null) == PostgresFacts.Role.PRIMARY && result.up()
                && role(result).orElse(null) != PostgresFacts.Role.PRIMARY) {
            return new Verdict(Action.START, "peer database " + database.displayName() + " is no longer the primary");
        }
        return Verdict.NONE;
    }

    /** The master of a read-write group resigned it (priority 0); {@code local}: the local database's latest result. */
    public static Verdict onReadWriteResigned(String group, String master, ProbeResult local) {
        return isStandby(local) ? new Verdict(Action.START, master + " resigned read-write group " + group) : Verdict.NONE;
    }

    /** {@code omlha-agent event WORDS}: whatever the words, the databases are watched closely for a while. */
    public static Verdict onEvent(String words) {
        return new Verdict(Action.START, "event" + (words.isBlank() ? "" : " " + words.strip()));
    }

    private static Optional<PostgresFacts.Role> role(ProbeResult result) {
        return result == null || !result.up() ? Optional.empty() : result.facts(PostgresFacts.class).map(PostgresFacts::role);
    }

    private static boolean isStandby(ProbeResult result) {
        return role(result).orElse(null) == PostgresFacts.Role.STANDBY;
    }

    private static boolean streaming(ProbeResult result) {
        return result.facts(PostgresFacts.class).map(PostgresFacts::streaming).orElse(false);
    }

    private static boolean streamingStandby(ProbeResult result) {
        return isStandby(result) && streaming(result);
    }
}
