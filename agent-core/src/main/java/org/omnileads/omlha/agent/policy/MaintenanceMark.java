package org.omnileads.omlha.agent.policy;

/**
 * An operator's {@code omlha-agent maintenance on} for one group. {@code keepIfUntaken}: while the group is still being
 * handed over, it stays here and keeps serving if no backup takes it (the command then exits 4); false after
 * {@code --force}, and once a handover is over (the mark is then simply "in maintenance").
 */
public record MaintenanceMark(boolean keepIfUntaken) {
    /** A mark that has been handed over, or read back from the state directory after a restart. */
    public static final MaintenanceMark SETTLED = new MaintenanceMark(false);
}
