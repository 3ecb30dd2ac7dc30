package org.omnileads.omlha.agent.config;

import java.time.Duration;

/**
 * How a new MASTER announces its VIPs (gratuitous ARP, unsolicited NA): {@code repeat} messages {@code spacing}
 * apart, the same burst again after {@code secondBurstDelay} (0 = no second burst), and while MASTER
 * {@code refreshRepeat} messages every {@code refresh} (0 = never). Defaults are keepalived's garp_master_repeat,
 * garp_interval, garp_master_delay, garp_master_refresh and garp_master_refresh_repeat.
 */
public record AnnounceConfig(int repeat, Duration spacing, Duration secondBurstDelay, Duration refresh, int refreshRepeat) {

    public static final AnnounceConfig DEFAULTS =
            new AnnounceConfig(5, Duration.ZERO, Duration.ofSeconds(5), Duration.ZERO, 1);
}
