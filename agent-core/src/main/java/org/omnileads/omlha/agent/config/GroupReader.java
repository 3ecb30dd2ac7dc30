package org.omnileads.omlha.agent.config;

import org.omnileads.omlha.vip.VipAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code omlha.vrrp} (the defaults) and {@code omlha.groups}: one VRRP virtual router per group, VRRPv3
 * (RFC 5798) or VRRPv2 (RFC 3768), then the checks across groups (VRID and VIP uniqueness).
 */
final class GroupReader {
    static final List<String> GROUP_KEYS = List.of("vrid", "vips", "priority", "interface", "version", "advert-interval",
            "preempt", "preempt-delay", "unicast-peers", "auth-pass", "track", "follow", "announce");
    static final List<String> ANNOUNCE_KEYS = List.of("repeat", "spacing", "second-burst-delay", "refresh", "refresh-repeat");

    private static final Pattern PRINTABLE_ASCII = Pattern.compile("[\\x20-\\x7e]*");
    private static final Duration CENTISECOND = Duration.ofMillis(10);
    private static final Duration MAX_V3_ADVERT = Duration.ofMillis(40_950);
    private static final Duration MAX_V2_ADVERT = Duration.ofSeconds(255);
    private static final int MAX_VIPS = 255;

    private GroupReader() {
    }

    static VrrpDefaults readVrrp(ConfigNode vrrp) {
        vrrp.allowOnly(List.of("version", "advert-interval", "announce"));
        int version = version(vrrp).orElse(VrrpDefaults.DEFAULTS.version());
        Duration advert = vrrp.duration("advert-interval")
                .filter(interval -> {
                    Optional<String> problem = advertIntervalProblem(interval, version);
                    problem.ifPresent(p -> vrrp.problem("advert-interval", p));
                    return problem.isEmpty();
                })
                .orElse(VrrpDefaults.DEFAULTS.advertInterval());
        AnnounceConfig announce = vrrp.object("announce")
                .map(a -> readAnnounce(a, AnnounceConfig.DEFAULTS))
                .orElse(AnnounceConfig.DEFAULTS);
        return new VrrpDefaults(version, advert, announce);
    }

    private static Optional<Integer> version(ConfigNode node) {
        return node.number("version", Long.MIN_VALUE, Long.MAX_VALUE).flatMap(v -> {
            if (v != 2 && v != 3) {
                node.problem("version", "must be 2 or 3, got " + v);
                return Optional.empty();
            }
            return Optional.of(v.intValue());
        });
    }

    /** RFC 5798 section 5.2.7: 12 bits of centiseconds; RFC 3768 section 5.3.7: 8 bits of seconds. */
    private static Optional<String> advertIntervalProblem(Duration interval, int version) {
        if (version == 3) {
            boolean valid = interval.compareTo(CENTISECOND) >= 0 && interval.compareTo(MAX_V3_ADVERT) <= 0
                    && interval.toNanos() % CENTISECOND.toNanos() == 0;
            return valid ? Optional.empty() : Optional.of(
                    "VRRPv3 needs 10ms..40.95s in steps of 10ms, got " + Values.format(interval));
        }
        boolean valid = interval.compareTo(Duration.ofSeconds(1)) >= 0 && interval.compareTo(MAX_V2_ADVERT) <= 0
                && interval.toNanos() % 1_000_000_000L == 0;
        return valid ? Optional.empty() : Optional.of("VRRPv2 needs whole seconds 1s..255s, got " + Values.format(interval));
    }

    /** Each key not set here comes from {@code defaults} (omlha.vrrp.announce, or keepalived's values). */
    private static AnnounceConfig readAnnounce(ConfigNode announce, AnnounceConfig defaults) {
        announce.allowOnly(ANNOUNCE_KEYS);
        int repeat = announce.integer("repeat", 1, 100).orElse(defaults.repeat());
        Duration spacing = announce.duration("spacing", Duration.ZERO, Duration.ofSeconds(10)).orElse(defaults.spacing());
        Duration secondBurst = announce.duration("second-burst-delay", Duration.ZERO, Duration.ofHours(1))
                .orElse(defaults.secondBurstDelay());
        Duration refresh = announce.duration("refresh", Duration.ZERO, Duration.ofDays(1)).orElse(defaults.refresh());
        if (refresh.compareTo(Duration.ZERO) > 0 && refresh.compareTo(Duration.ofSeconds(1)) < 0) {
            announce.problem("refresh", "must be 0s (off) or at least 1s, got " + Values.format(refresh));
        }
        int refreshRepeat = announce.integer("refresh-repeat", 1, 100).orElse(defaults.refreshRepeat());
        return new AnnounceConfig(repeat, spacing, secondBurst, refresh, refreshRepeat);
    }

    static List<GroupConfig> readGroups(ConfigNode omlha, Optional<String> defaultInterface, VrrpDefaults vrrp,
            List<ProbeConfig> probes) {
        omlha.requireKey("groups");
        Optional<ConfigNode> groupsNode = omlha.object("groups");
        if (groupsNode.isEmpty()) {
            return List.of();
        }
        List<ConfigNode> nodes = groupsNode.get().children();
        if (groupsNode.get().isEmpty()) {
            groupsNode.get().problem("at least one group is required");
        }
        Map<String, String> vridOwners = new HashMap<>();
        Map<InetAddress, String> vipOwners = new HashMap<>();
        List<GroupConfig> groups = new ArrayList<>();
        for (ConfigNode node : nodes) {
            GroupConfig group = readGroup(node, defaultInterface, vrrp, probes);
            checkVridUnique(node, group, vridOwners);
            checkVipsUnique(node, group, vipOwners);
            groups.add(group);
        }
        return groups;
    }

    private static GroupConfig readGroup(ConfigNode g, Optional<String> defaultInterface, VrrpDefaults vrrp,
            List<ProbeConfig> probes) {
        AgentConfigReader.checkName(g);
        g.allowOnly(GROUP_KEYS);
        g.requireKey("vrid");
        int vrid = g.integer("vrid", 1, 255).orElse(0);
        List<VipAddress> vips = readVips(g);
        boolean ipv6 = !vips.isEmpty() && !vips.get(0).isIpv4();
        int priority = g.integer("priority", 1, 255).orElse(100);
        String interfaceName = groupInterface(g, defaultInterface);
        int version = version(g).orElse(vrrp.version());
        if (ipv6 && version == 2) {
            g.problem(g.has("version") ? "version" : "vips", g.has("version")
                    ? "IPv6 VIPs need VRRP version 3, got 2"
                    : "IPv6 VIPs need VRRP version 3, but omlha.vrrp.version is 2 (set version = 3 in this group)");
        }
        Duration advert = advertInterval(g, version, vrrp);
        boolean preempt = g.bool("preempt").orElse(true);
        Duration preemptDelay = g.duration("preempt-delay", Duration.ZERO, Duration.ofHours(1)).orElse(Duration.ZERO);
        List<InetAddress> peers = readPeers(g, ipv6, vips.isEmpty());
        Optional<String> authPass = readAuthPass(g, version);
        List<Track> track = readTrack(g, probes);
        Optional<Follow> follow = g.object("follow").flatMap(f -> readFollow(f, probes));
        AnnounceConfig announce = g.object("announce").map(a -> readAnnounce(a, vrrp.announce())).orElse(vrrp.announce());
        return new GroupConfig(g.name(), vrid, vips, priority, interfaceName, version, advert, preempt, preemptDelay, peers,
                authPass, track, follow, announce);
    }

    private static List<VipAddress> readVips(ConfigNode g) {
        g.requireKey("vips");
        Optional<List<ConfigNode.Element>> elements = g.list("vips");
        if (elements.isEmpty()) {
            return List.of();
        }
        if (elements.get().isEmpty()) {
            g.problem("vips", "must name at least one VIP, like [\"192.0.2.100/24\"]");
        }
        if (elements.get().size() > MAX_VIPS) {
            g.problem("vips", "at most " + MAX_VIPS + " VIPs per group (the advert's address count is 8 bits), got "
                    + elements.get().size() + ": split them into groups");
        }
        List<VipAddress> vips = new ArrayList<>();
        Set<InetAddress> seen = new HashSet<>();
        for (ConfigNode.Element element : elements.get()) {
            Optional<String> text = element.string();
            if (text.isEmpty()) {
                continue;
            }
            VipAddress vip;
            try {
                vip = Addresses.parseVip(text.get());
            } catch (IllegalArgumentException e) {
                element.problem(e.getMessage());
                continue;
            }
            if (!vips.isEmpty() && vip.isIpv4() != vips.get(0).isIpv4()) {
                element.problem(family(!vip.isIpv4()) + " VIP in a group of " + family(!vips.get(0).isIpv4())
                        + " VIPs: a group has one address family (use a second group)");
            } else if (!seen.add(vip.address())) {
                element.problem(VipAddress.format(vip.address()) + " is listed twice");
            } else {
                vips.add(vip);
            }
        }
        return vips;
    }

    private static String groupInterface(ConfigNode g, Optional<String> defaultInterface) {
        if (g.has("interface")) {
            return AgentConfigReader.interfaceName(g).orElse("");
        }
        if (defaultInterface.isEmpty()) {
            g.problem("interface", "required, as omlha.interface (the default of every group) is not set");
            return "";
        }
        return defaultInterface.get();
    }

    private static Duration advertInterval(ConfigNode g, int version, VrrpDefaults vrrp) {
        if (g.has("advert-interval")) {
            Optional<Duration> own = g.duration("advert-interval");
            own.flatMap(interval -> advertIntervalProblem(interval, version)).ifPresent(p -> g.problem("advert-interval", p));
            return own.orElse(vrrp.advertInterval());
        }
        advertIntervalProblem(vrrp.advertInterval(), version).ifPresent(p ->
                g.problem("advert-interval", p + " (inherited from omlha.vrrp.advert-interval: set advert-interval here)"));
        return vrrp.advertInterval();
    }

    private static List<InetAddress> readPeers(ConfigNode g, boolean ipv6, boolean familyUnknown) {
        Optional<List<ConfigNode.Element>> elements = g.list("unicast-peers");
        if (elements.isEmpty()) {
            return List.of();
        }
        List<InetAddress> peers = new ArrayList<>();
        for (ConfigNode.Element element : elements.get()) {
            Optional<String> text = element.string();
            if (text.isEmpty()) {
                continue;
            }
            InetAddress peer;
            try {
                peer = Addresses.parseLiteral(text.get());
            } catch (IllegalArgumentException e) {
                element.problem(e.getMessage());
                continue;
            }
            boolean peerIpv6 = !(peer instanceof Inet4Address);
            if (peer.isAnyLocalAddress() || peer.isMulticastAddress()) {
                element.problem(VipAddress.format(peer) + " cannot be a unicast peer (unspecified or multicast)");
            } else if (!familyUnknown && peerIpv6 != ipv6) {
                element.problem(VipAddress.format(peer) + " is " + family(peerIpv6) + " but the group's VIPs are "
                        + family(ipv6));
            } else if (peers.contains(peer)) {
                element.problem(VipAddress.format(peer) + " is listed twice");
            } else {
                peers.add(peer);
            }
        }
        return peers;
    }

    /** RFC 3768 section 5.3.6 / 5.3.10: 8 octets of simple text password; v3 dropped authentication. */
    private static Optional<String> readAuthPass(ConfigNode g, int version) {
        Optional<String> pass = g.string("auth-pass");
        if (pass.isEmpty()) {
            return pass;
        }
        String text = pass.get();
        if (version != 2) {
            g.problem("auth-pass", "only with version 2: VRRPv3 has no authentication");
        } else if (text.isEmpty() || text.length() > 8) {
            g.problem("auth-pass", "must be 1..8 characters, got " + text.length()
                    + " (keepalived would silently cut it to 8; we refuse)");
        } else if (!PRINTABLE_ASCII.matcher(text).matches()) {
            g.problem("auth-pass", "must be printable ASCII");
        }
        return pass;
    }

    private static List<Track> readTrack(ConfigNode g, List<ProbeConfig> probes) {
        Optional<List<ConfigNode.Element>> elements = g.list("track");
        if (elements.isEmpty()) {
            return List.of();
        }
        List<Track> tracks = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ConfigNode.Element element : elements.get()) {
            Optional<ConfigNode> entry = element.object();
            if (entry.isEmpty()) {
                continue;
            }
            ConfigNode t = entry.get();
            t.allowOnly(List.of("probe", "weight"));
            t.requireKey("probe");
            Optional<String> probe = t.text("probe").filter(name -> probeExists(t, name, probes));
            int weight = t.integer("weight", -254, 254).orElse(0);
            if (probe.isPresent() && !seen.add(probe.get())) {
                t.problem("probe", "probe " + probe.get() + " is tracked twice");
            }
            probe.ifPresent(name -> tracks.add(new Track(name, weight)));
        }
        return tracks;
    }

    private static Optional<Follow> readFollow(ConfigNode f, List<ProbeConfig> probes) {
        f.allowOnly(List.of("probe", "role"));
        f.requireKey("probe");
        f.requireKey("role");
        Optional<String> probe = f.text("probe").filter(name -> probeExists(f, name, probes));
        Optional<ProbeSpec> spec = probe.flatMap(name -> probes.stream().filter(p -> p.name().equals(name)).findFirst())
                .map(ProbeConfig::spec);
        spec.filter(s -> !(s instanceof ProbeSpec.Postgres) && !(s instanceof ProbeSpec.Redis))
                .ifPresent(s -> f.problem("probe", "probe " + probe.get() + " has type " + s.typeName()
                        + "; follow needs a postgresql or redis probe"));
        boolean redis = spec.filter(ProbeSpec.Redis.class::isInstance).isPresent();
        spec.filter(ProbeSpec.Redis.class::isInstance).map(ProbeSpec.Redis.class::cast)
                .ifPresent(r -> checkSentinelMajority(f, probe.get(), r));
        Optional<Follow.Role> role = f.string("role").flatMap(text -> {
            if (redis) {
                if (text.equals("master")) {
                    return Optional.of(Follow.Role.MASTER);
                }
                f.problem("role", "must be master for a redis probe, got " + Values.quote(text));
                return Optional.empty();
            }
            switch (text) {
                case "primary":
                    return Optional.of(Follow.Role.PRIMARY);
                case "standby":
                    return Optional.of(Follow.Role.STANDBY);
                case "master":
                    f.problem("role", "master is for a redis probe; a postgresql probe follows primary or standby");
                    return Optional.empty();
                default:
                    f.problem("role", "must be primary or standby (postgresql) or master (redis), got " + Values.quote(text));
                    return Optional.empty();
            }
        });
        return probe.isPresent() && role.isPresent() ? Optional.of(new Follow(probe.get(), role.get())) : Optional.empty();
    }

    /**
     * The majority rule, said where it bites: a node holds a Redis VIP only while more than half of the configured
     * Sentinels name its Redis as the master, an unreachable Sentinel counting against. So follow needs Sentinel, and at
     * least three Sentinels: with one, it alone decides and nobody holds the VIP while it is down; with two, both must
     * answer, so losing either one empties the VIP.
     */
    private static void checkSentinelMajority(ConfigNode f, String probe, ProbeSpec.Redis redis) {
        int sentinels = redis.sentinels().size();
        String rule = "the VIP is held only where the local Redis is master and a majority of the configured sentinels"
                + " (more than half, an unreachable one counting against) name it as the master";
        if (redis.sentinelMaster().isEmpty() || sentinels == 0) {
            f.problem("probe", "probe " + probe + " has no sentinel-master and sentinels: " + rule
                    + "; list the sentinels (three or more) and the master name Sentinel monitors");
        } else if (sentinels < 3) {
            f.problem("probe", "probe " + probe + " lists " + sentinels + " sentinel" + (sentinels == 1 ? "" : "s") + ": "
                    + rule + ", here " + (sentinels / 2 + 1) + " of " + sentinels + ", so "
                    + (sentinels == 1 ? "that one sentinel decides alone and nobody holds the VIP while it is down"
                                      : "both must answer and losing either one leaves nobody holding the VIP")
                    + "; list at least three sentinels (Sentinel itself needs three for a safe failover)");
        }
    }

    private static boolean probeExists(ConfigNode node, String name, List<ProbeConfig> probes) {
        boolean exists = probes.stream().anyMatch(p -> p.name().equals(name));
        if (!exists) {
            node.problem("probe", "no probe named " + Values.quote(name) + " in omlha.probes");
        }
        return exists;
    }

    /** RFC 5798 section 5.2.3: a VRID identifies a virtual router on one LAN, per address family. */
    private static void checkVridUnique(ConfigNode node, GroupConfig group, Map<String, String> owners) {
        if (group.vrid() == 0 || group.interfaceName().isEmpty() || group.vips().isEmpty()) {
            return;
        }
        String key = group.interfaceName() + " " + family(group.isIpv6()) + " " + group.vrid();
        String owner = owners.putIfAbsent(key, group.name());
        if (owner != null) {
            node.problem("vrid", "vrid " + group.vrid() + " is already used by group " + owner + " on "
                    + group.interfaceName() + " (" + family(group.isIpv6()) + ")");
        }
    }

    private static void checkVipsUnique(ConfigNode node, GroupConfig group, Map<InetAddress, String> owners) {
        for (VipAddress vip : group.vips()) {
            String owner = owners.putIfAbsent(vip.address(), group.name());
            if (owner != null) {
                node.problem("vips", VipAddress.format(vip.address()) + " is already a VIP of group " + owner);
            }
        }
    }

    private static String family(boolean ipv6) {
        return ipv6 ? "IPv6" : "IPv4";
    }
}
