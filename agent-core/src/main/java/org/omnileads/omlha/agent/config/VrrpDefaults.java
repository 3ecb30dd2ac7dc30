package org.omnileads.omlha.agent.config;

import java.time.Duration;

/** {@code omlha.vrrp}: what a group uses when it does not set version, advert-interval or announce itself. */
public record VrrpDefaults(int version, Duration advertInterval, AnnounceConfig announce) {

    public static final VrrpDefaults DEFAULTS = new VrrpDefaults(3, Duration.ofSeconds(1), AnnounceConfig.DEFAULTS);
}
