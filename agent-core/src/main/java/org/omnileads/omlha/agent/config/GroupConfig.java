package org.omnileads.omlha.agent.config;

import org.omnileads.omlha.vip.VipAddress;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One VRRP virtual router ({@code omlha.groups.<name>}), defaults applied. VRRPv3 is RFC 5798, VRRPv2 RFC 3768;
 * {@code advertInterval} is a multiple of 10ms (v3) or of 1s (v2); all VIPs and unicast peers are of one family.
 */
public record GroupConfig(String name, int vrid, List<VipAddress> vips, int priority, String interfaceName, int version,
        Duration advertInterval, boolean preempt, Duration preemptDelay, List<InetAddress> unicastPeers,
        Optional<String> authPass, List<Track> track, Optional<Follow> follow, AnnounceConfig announce) {

    public GroupConfig {
        vips = List.copyOf(vips);
        unicastPeers = List.copyOf(unicastPeers);
        track = List.copyOf(track);
    }

    /** The advertisement interval in the unit of the VRRPv3 Max Adver Int field (centiseconds). */
    public int advertIntervalCentis() {
        return (int) (advertInterval.toMillis() / 10);
    }

    public boolean isIpv6() {
        return !vips.isEmpty() && !vips.get(0).isIpv4();
    }
}
