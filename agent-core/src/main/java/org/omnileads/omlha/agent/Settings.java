package org.omnileads.omlha.agent;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.omnileads.omlha.agent.config.AnnounceConfig;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.vip.AnnounceSettings;
import org.omnileads.omlha.vrrp.fsm.RouterConfig;
import org.omnileads.omlha.vrrp.packet.GroupExpectations;
import org.omnileads.omlha.vrrp.packet.VrrpPacket;

/** Turns a validated group configuration into the settings of each layer (router, validator, announcements). */
final class Settings {
    private Settings() {}

    static RouterConfig router(GroupConfig group, InetAddress primaryAddress) {
        return new RouterConfig(group.vrid(), group.version(), group.priority(), group.advertIntervalCentis(),
                group.preempt(), group.preemptDelay().toNanos(), primaryAddress);
    }

    static GroupExpectations expectations(GroupConfig group, InetAddress primaryAddress, List<InetAddress> vips) {
        int interval = group.version() == 2 ? group.advertIntervalCentis() / 100 : group.advertIntervalCentis();
        // The auth bytes exactly as our own adverts carry them.
        VrrpPacket reference = group.version() == 2
                ? VrrpPacket.v2(group.vrid(), group.priority(), interval, vips, group.authPass().orElse(null))
                : VrrpPacket.v3(group.vrid(), group.priority(), interval, vips);
        return new GroupExpectations(group.version(), group.vrid(), interval, new HashSet<>(vips),
                reference.authType(), reference.authData(), !group.unicastPeers().isEmpty(),
                new HashSet<>(group.unicastPeers()), Set.of(primaryAddress));
    }

    static AnnounceSettings announce(AnnounceConfig announce) {
        return new AnnounceSettings(announce.repeat(), announce.spacing().toNanos(), announce.secondBurstDelay().toNanos(),
                announce.refresh().toNanos(), announce.refreshRepeat());
    }
}
