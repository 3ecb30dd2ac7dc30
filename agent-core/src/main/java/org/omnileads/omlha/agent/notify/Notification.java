package org.omnileads.omlha.agent.notify;

import java.time.Instant;

/**
 * Something an operator must hear of: a group's state change ({@code MASTER}, {@code BACKUP}, {@code FAULT},
 * {@code INIT}) or a stale PostgreSQL primary ({@code STALE_PRIMARY}), with the priority and the reason.
 */
public record Notification(String tenant, String node, String group, String state, int priority, String reason, Instant at) {

    /** {@code [omnileads.example] pgsql-01: group pgsql-rw is MASTER}. */
    public String subject() {
        return (tenant.isEmpty() ? "" : "[" + tenant + "] ") + node + ": group " + group + " is " + state;
    }

    public String body() {
        return "node:     " + node + "\n"
                + (tenant.isEmpty() ? "" : "tenant:   " + tenant + "\n")
                + "group:    " + group + "\n"
                + "state:    " + state + "\n"
                + "priority: " + priority + "\n"
                + "reason:   " + reason + "\n"
                + "at:       " + at + "\n";
    }
}
