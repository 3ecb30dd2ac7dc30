package org.omnileads.omlha.agent;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.vip.VipAddress;
import org.omnileads.omlha.vrrp.packet.VrrpCodec;
import org.omnileads.omlha.vrrp.packet.VrrpPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group's adverts on their way out: to the multicast group, or to each unicast peer. Each is encoded once per
 * change of priority or interval (the v3 checksum covers the destination), so a steady master sends the same bytes
 * every interval and allocates nothing to do so. A failed send is logged (rate-limited) and counted as not sent.
 */
final class AdvertSender {
    private static final Logger log = LoggerFactory.getLogger(AdvertSender.class);

    private final GroupConfig config;
    private final AdvertChannel channel;
    private final List<InetAddress> vipAddresses;
    private final InetAddress[] destinations;
    private final ByteBuffer[] encoded;
    private VrrpPacket encodedPacket;
    /** The advert for the priority last sent; rebuilt only when the advertised priority or interval changes. */
    private VrrpPacket advert;
    private long sent;
    private final RateLimitedLog sendErrorLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(10));

    AdvertSender(GroupConfig config, AdvertChannel channel) {
        this.config = config;
        this.channel = channel;
        this.vipAddresses = config.vips().stream().map(VipAddress::address).toList();
        this.destinations = config.unicastPeers().isEmpty()
                ? new InetAddress[] {channel.multicastGroup()}
                : config.unicastPeers().toArray(InetAddress[]::new);
        this.encoded = new ByteBuffer[destinations.length];
        for (int i = 0; i < destinations.length; i++) {
            encoded[i] = ByteBuffer.allocateDirect(VrrpCodec.MAX_LENGTH);
        }
    }

    List<InetAddress> vipAddresses() {
        return vipAddresses;
    }

    /** Adverts that left the node, one per destination. */
    long sent() {
        return sent;
    }

    void send(long now, int priority, int intervalCentis) {
        VrrpPacket packet = advertFor(priority, intervalCentis);
        if (packet != encodedPacket) {
            for (int i = 0; i < destinations.length; i++) {
                encoded[i].clear();
                VrrpCodec.encode(packet, channel.checksumSource(), channel.checksumDestination(destinations[i]), encoded[i]);
                encoded[i].flip();
            }
            encodedPacket = packet;
        }
        for (int i = 0; i < destinations.length; i++) {
            try {
                channel.send(encoded[i], destinations[i]);
                sent++;
            } catch (RuntimeException e) {
                sendErrorLog.warn(now, "group {}: advert not sent: {}", config.name(), e.getMessage());
            }
        }
    }

    private VrrpPacket advertFor(int priority, int intervalCentis) {
        VrrpPacket current = advert;
        if (current == null || current.priority() != priority || current.advertIntervalCentis() != intervalCentis) {
            current = VrrpPacket.advert(config.version(), config.vrid(), priority, intervalCentis, vipAddresses,
                    config.authPass().orElse(null));
            advert = current;
        }
        return current;
    }
}
