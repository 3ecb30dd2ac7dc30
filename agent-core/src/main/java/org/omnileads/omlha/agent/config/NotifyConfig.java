package org.omnileads.omlha.agent.config;

import java.util.Optional;

/**
 * {@code omlha.notify}: who hears of state changes. {@code exec} is an absolute path called as
 * {@code exec GROUP NAME STATE PRIORITY} (keepalived's notify argument order).
 */
public record NotifyConfig(Optional<EmailNotify> email, Optional<String> exec) {

    public static final NotifyConfig NONE = new NotifyConfig(Optional.empty(), Optional.empty());
}
