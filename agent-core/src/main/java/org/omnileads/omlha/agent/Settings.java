package org.omnileads.omlha.agent;

import java.net.InetAddress;
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
        // What our own adverts carry (interval in the version's unit, auth bytes) is what a peer's must carry.
        VrrpPacket ours = VrrpPacket.advert(group.version(), group.vrid(), group.priority(), group.advertIntervalCentis(), vips,
                group.authPass().orElse(null));
        return GroupExpectations.of(ours, group.unicastPeers(), Set.of(primaryAddress));
    }

    static AnnounceSettings announce(AnnounceConfig announce) {
        return new AnnounceSettings(announce.repeat(), announce.spacing().toNanos(), announce.secondBurstDelay().toNanos(),
                announce.refresh().toNanos(), announce.refreshRepeat());
    }
}
