package org.omnileads.omlha.agent.status;

import java.util.List;

/**
 * The daemon's answer to {@code maintenance on|off}: the exit code the command returns (0, 2 unknown group, 4 a group
 * nobody took), a one-line error when it changed nothing, each group's outcome, and a warning when the mark could not
 * be saved in the state directory.
 */
public record MaintenanceReply(int exit, String error, List<GroupOutcome> groups, String warning) {

    /**
     * One group: {@code outcome} is {@code handed-over} (to {@code takenBy}, after {@code millis}), {@code kept} (nobody
     * took it: it stays MASTER here), {@code released} (nobody took it, --force), {@code marked} (it was not MASTER here:
     * {@code state}, following {@code master}) or {@code back} (maintenance off).
     */
    public record GroupOutcome(String name, String outcome, String takenBy, long millis, String state, String master) {}

    public static MaintenanceReply failed(int exit, String error) {
        return new MaintenanceReply(exit, error, List.of(), null);
    }
}
