package org.omnileads.omlha.vrrp.packet;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;

/**
 * What one virtual router expects of the adverts it receives, for {@link AdvertValidator}.
 *
 * @param version 2 or 3
 * @param vrid 1..255
 * @param advertInterval the configured interval in the version's unit (v3 centiseconds, v2 seconds)
 * @param addresses the group's virtual addresses
 * @param authType v2 authentication type (0 none, 1 PASS); v3: 0
 * @param authData v2: the 8 bytes a PASS advert must carry (ignored for type 0); v3: empty
 * @param unicast whether the group unicasts to {@code unicastPeers} instead of multicasting
 * @param unicastPeers the only accepted sources when unicasting
 * @param ownAddresses this host's addresses on the group's interface: adverts from them are our own
 */
public record GroupExpectations(int version, int vrid, int advertInterval, Set<InetAddress> addresses,
                                int authType, byte[] authData, boolean unicast, Set<InetAddress> unicastPeers,
                                Set<InetAddress> ownAddresses) {

    public GroupExpectations {
        // The packet's own checks cover version, vrid, interval, addresses and authentication.
        new VrrpPacket(version, vrid, 1, advertInterval, addresses.stream().toList(), authType, authData);
        addresses = Set.copyOf(addresses);
        authData = authData.clone();
        unicastPeers = Set.copyOf(unicastPeers);
        ownAddresses = Set.copyOf(ownAddresses);
    }

    /**
     * The expectations of a group that sends {@code ourAdvert}: same version, vrid, interval, addresses and
     * authentication (the auth bytes exactly as our adverts carry them); unicast if {@code unicastPeers} is
     * not empty. With {@link VrrpPacket#advert} this is all a configuration needs:
     * {@code GroupExpectations.of(VrrpPacket.advert(version, vrid, priority, intervalCentis, vips, passOrNull),
     * peers, own)}.
     */
    public static GroupExpectations of(VrrpPacket ourAdvert, Collection<InetAddress> unicastPeers,
                                       Collection<InetAddress> ownAddresses) {
        return new GroupExpectations(ourAdvert.version(), ourAdvert.vrid(), ourAdvert.advertInterval(),
                Set.copyOf(ourAdvert.addresses()), ourAdvert.authType(), ourAdvert.authData(),
                !unicastPeers.isEmpty(), Set.copyOf(unicastPeers), Set.copyOf(ownAddresses));
    }

    @Override
    public byte[] authData() {
        return authData.clone();
    }

    boolean authDataEquals(VrrpPacket p) {
        return p.authDataEquals(authData);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupExpectations g
                && version == g.version && vrid == g.vrid && advertInterval == g.advertInterval
                && authType == g.authType && unicast == g.unicast && addresses.equals(g.addresses)
                && Arrays.equals(authData, g.authData) && unicastPeers.equals(g.unicastPeers)
                && ownAddresses.equals(g.ownAddresses);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(version, vrid, advertInterval, addresses, authType, unicast, unicastPeers,
                ownAddresses);
        return 31 * h + Arrays.hashCode(authData);
    }

    /** Without the authentication data, which may be a password. */
    @Override
    public String toString() {
        return "GroupExpectations[VRRPv" + version + ", vrid " + vrid + ", interval " + advertInterval
                + (version == 3 ? "cs" : "s") + ", addresses " + addresses + ", auth type " + authType
                + (unicast ? ", unicast peers " + unicastPeers : ", multicast") + ", own addresses "
                + ownAddresses + "]";
    }
}
