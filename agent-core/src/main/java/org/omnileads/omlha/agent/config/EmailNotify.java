package org.omnileads.omlha.agent.config;

import java.util.List;

/** {@code omlha.notify.email}: mail each state change to {@code to} through the SMTP relay {@code smtp} (host:port). */
public record EmailNotify(List<String> to, String from, String smtp) {

    public EmailNotify {
        to = List.copyOf(to);
    }
}
