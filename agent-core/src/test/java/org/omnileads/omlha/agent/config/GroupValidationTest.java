package org.omnileads.omlha.agent.config;

import org.omnileads.omlha.vip.VipAddress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.omnileads.omlha.agent.config.TestConfigs.assertProblems;
import static org.omnileads.omlha.agent.config.TestConfigs.group;
import static org.omnileads.omlha.agent.config.TestConfigs.valid;
import static org.omnileads.omlha.agent.config.TestConfigs.validGroup;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** One test per rule of {@code omlha.groups.<name>}; each checks the exact message: file, line, key, reason. */
class GroupValidationTest {

    @Test
    void defaults() {
        GroupConfig g = validGroup();

        assertEquals(new GroupConfig("g", 51, List.of(Addresses.parseVip("192.0.2.100/24")), 100, "eth0", 3,
                Duration.ofSeconds(1), true, Duration.ZERO, List.of(), Optional.empty(), List.of(), Optional.empty(),
                AnnounceConfig.DEFAULTS), g);
    }

    @Test
    void unknownKey() {
        assertProblems(group("prio = 150"), "agent.conf:8: omlha.groups.g.prio: unknown key (expected one of: vrid, vips, "
                + "priority, interface, version, advert-interval, preempt, preempt-delay, unicast-peers, auth-pass, track, "
                + "follow, announce)");
    }

    @Test
    void groupMustBeAnObject() {
        assertProblems("omlha {\n  interface = eth0\n  groups {\n    g = 51\n  }\n}\n",
                "agent.conf:4: omlha.groups.g: expected an object, got 51");
    }

    @Test
    void groupName() {
        assertProblems("omlha {\n  interface = eth0\n  groups {\n    \"a b\" { vrid = 1, vips = [\"192.0.2.1/24\"] }\n  }\n}\n",
                "agent.conf:4: omlha.groups.\"a b\": name must be 1..64 letters, digits, '-' or '_'");
    }

    @Test
    void atLeastOneGroup() {
        assertProblems("omlha {\n  interface = eth0\n  groups {}\n}\n", "agent.conf:3: omlha.groups: at least one group is required");
        assertProblems("omlha {\n  interface = eth0\n}\n", "agent.conf:1: omlha.groups: required");
    }

    @Nested
    class Vrid {
        @Test
        void range() {
            assertProblems(group("vrid = 300"), "agent.conf:8: omlha.groups.g.vrid: must be 1..255, got 300");
            assertProblems(group("vrid = 0"), "agent.conf:8: omlha.groups.g.vrid: must be 1..255, got 0");
            assertEquals(255, validGroup("vrid = 255").vrid());
            assertEquals(1, validGroup("vrid = 1").vrid());
        }

        @Test
        void required() {
            assertProblems("omlha {\n  interface = eth0\n  groups {\n    g {\n      vips = [\"192.0.2.1/24\"]\n    }\n  }\n}\n",
                    "agent.conf:4: omlha.groups.g.vrid: required");
        }

        @Test
        void wholeNumbersOnly() {
            assertProblems(group("vrid = 1.5"), "agent.conf:8: omlha.groups.g.vrid: expected a whole number, got 1.5");
            assertProblems(group("vrid = abc"), "agent.conf:8: omlha.groups.g.vrid: expected a whole number, got \"abc\"");
            assertProblems(group("vrid = [1]"), "agent.conf:8: omlha.groups.g.vrid: expected a whole number, got a list");
            assertEquals(52, validGroup("vrid = \"52\"").vrid());
        }

        @Test
        void uniquePerInterfaceAndFamily() {
            String twoGroups = "omlha {\n"
                    + "  interface = eth0\n"
                    + "  groups {\n"
                    + "    a { vrid = 51, vips = [\"192.0.2.1/24\"] }\n"
                    + "    b { vrid = 51, vips = [\"192.0.2.2/24\"] }\n"
                    + "  }\n"
                    + "}\n";
            assertProblems(twoGroups, "agent.conf:5: omlha.groups.b.vrid: vrid 51 is already used by group a on eth0 (IPv4)");
        }

        @Test
        void sameVridOnAnotherInterfaceOrFamilyIsFine() {
            AgentConfig config = valid("omlha {\n"
                    + "  interface = eth0\n"
                    + "  groups {\n"
                    + "    a { vrid = 51, vips = [\"192.0.2.1/24\"] }\n"
                    + "    b { vrid = 51, vips = [\"2001:db8::1/64\"] }\n"
                    + "    c { vrid = 51, vips = [\"192.0.2.3/24\"], interface = eth1 }\n"
                    + "  }\n"
                    + "}\n");
            assertEquals(List.of("a", "b", "c"), config.groups().stream().map(GroupConfig::name).toList());
        }
    }

    @Nested
    class Vips {
        @Test
        void required() {
            assertProblems("omlha {\n  interface = eth0\n  groups {\n    g {\n      vrid = 1\n    }\n  }\n}\n",
                    "agent.conf:4: omlha.groups.g.vips: required");
        }

        @Test
        void atLeastOne() {
            assertProblems(group("vips = []"),
                    "agent.conf:8: omlha.groups.g.vips: must name at least one VIP, like [\"192.0.2.100/24\"]");
        }

        @Test
        void mustBeAList() {
            assertProblems(group("vips = \"192.0.2.1/24\""),
                    "agent.conf:8: omlha.groups.g.vips: expected a list, got \"192.0.2.1/24\"");
        }

        @Test
        void needAPrefix() {
            assertProblems(group("vips = [\"192.0.2.1\"]"),
                    "agent.conf:8: omlha.groups.g.vips[0]: expected address/prefix like 192.0.2.100/24, got \"192.0.2.1\"");
        }

        @Test
        void prefixRangePerFamily() {
            assertProblems(group("vips = [\"192.0.2.1/24\", \"192.0.2.2/33\"]"),
                    "agent.conf:8: omlha.groups.g.vips[1]: prefix length must be 1..32, got 33");
            assertProblems(group("vips = [\"2001:db8::1/129\"]"),
                    "agent.conf:8: omlha.groups.g.vips[0]: prefix length must be 1..128, got 129");
            assertProblems(group("vips = [\"192.0.2.1/0\"]"),
                    "agent.conf:8: omlha.groups.g.vips[0]: prefix length must be 1..32, got 0");
            assertEquals(128, validGroup("vips = [\"2001:db8::1/128\"]").vips().get(0).prefixLength());
        }

        @Test
        void oneFamilyPerGroup() {
            assertProblems(group("vips = [\"192.0.2.1/24\", \"2001:db8::1/64\"]"),
                    "agent.conf:8: omlha.groups.g.vips[1]: IPv6 VIP in a group of IPv4 VIPs: a group has one address family "
                            + "(use a second group)");
        }

        @Test
        void noHostNames() {
            assertProblems(group("vips = [\"vip.example.com/24\"]"),
                    "agent.conf:8: omlha.groups.g.vips[0]: expected an IPv4 or IPv6 address, got \"vip.example.com\"");
        }

        @Test
        void noDuplicateWithinAGroup() {
            assertProblems(group("vips = [\"192.0.2.1/24\", \"192.0.2.1/32\"]"),
                    "agent.conf:8: omlha.groups.g.vips[1]: 192.0.2.1 is listed twice");
        }

        @Test
        void noDuplicateAcrossGroups() {
            String twoGroups = "omlha {\n"
                    + "  interface = eth0\n"
                    + "  groups {\n"
                    + "    a { vrid = 51, vips = [\"192.0.2.1/24\"] }\n"
                    + "    b { vrid = 52, vips = [\"192.0.2.1/24\"] }\n"
                    + "  }\n"
                    + "}\n";
            assertProblems(twoGroups, "agent.conf:5: omlha.groups.b.vips: 192.0.2.1 is already a VIP of group a");
        }

        @Test
        void elementsMustBeStrings() {
            assertProblems(group("vips = [{ a = 1 }]"),
                    "agent.conf:8: omlha.groups.g.vips[0]: expected a string, got an object");
        }
    }

    @Test
    void priorityRangeAndDefault() {
        assertProblems(group("priority = 0"), "agent.conf:8: omlha.groups.g.priority: must be 1..255, got 0");
        assertProblems(group("priority = 256"), "agent.conf:8: omlha.groups.g.priority: must be 1..255, got 256");
        assertEquals(255, validGroup("priority = 255").priority());
        assertEquals(100, validGroup().priority());
    }

    @Nested
    class Version {
        @Test
        void twoOrThree() {
            assertProblems(group("version = 4"), "agent.conf:8: omlha.groups.g.version: must be 2 or 3, got 4");
            assertEquals(2, validGroup("version = 2").version());
        }

        @Test
        void defaultFromVrrp() {
            AgentConfig config = valid("omlha {\n  interface = eth0\n  vrrp { version = 2 }\n"
                    + "  groups { g { vrid = 1, vips = [\"192.0.2.1/24\"] } }\n}\n");
            assertEquals(2, config.groups().get(0).version());
            assertEquals(2, config.vrrp().version());
        }

        @Test
        void vrrpVersionChecked() {
            assertProblems("omlha {\n  interface = eth0\n  vrrp { version = 1 }\n"
                            + "  groups { g { vrid = 1, vips = [\"192.0.2.1/24\"] } }\n}\n",
                    "agent.conf:3: omlha.vrrp.version: must be 2 or 3, got 1");
        }

        @Test
        void ipv6NeedsVersion3() {
            assertProblems(group("vips = [\"2001:db8::1/64\"]", "version = 2"),
                    "agent.conf:9: omlha.groups.g.version: IPv6 VIPs need VRRP version 3, got 2");
        }

        @Test
        void ipv6WithVersion2Inherited() {
            assertProblems("omlha {\n  interface = eth0\n  vrrp { version = 2 }\n"
                            + "  groups { g { vrid = 1, vips = [\"2001:db8::1/64\"] } }\n}\n",
                    "agent.conf:4: omlha.groups.g.vips: IPv6 VIPs need VRRP version 3, but omlha.vrrp.version is 2 "
                            + "(set version = 3 in this group)");
        }
    }

    @Nested
    class AdvertInterval {
        @Test
        void version3InStepsOf10ms() {
            assertEquals(1, validGroup("advert-interval = 10ms").advertIntervalCentis());
            assertEquals(4095, validGroup("advert-interval = 40.95s").advertIntervalCentis());
            assertEquals(150, validGroup("advert-interval = 1500ms").advertIntervalCentis());
            assertProblems(group("advert-interval = 15ms"),
                    "agent.conf:8: omlha.groups.g.advert-interval: VRRPv3 needs 10ms..40.95s in steps of 10ms, got 15ms");
            assertProblems(group("advert-interval = 0ms"),
                    "agent.conf:8: omlha.groups.g.advert-interval: VRRPv3 needs 10ms..40.95s in steps of 10ms, got 0s");
            assertProblems(group("advert-interval = 41s"),
                    "agent.conf:8: omlha.groups.g.advert-interval: VRRPv3 needs 10ms..40.95s in steps of 10ms, got 41s");
        }

        @Test
        void version2WholeSeconds() {
            assertEquals(Duration.ofSeconds(255), validGroup("version = 2", "advert-interval = 255s").advertInterval());
            assertProblems(group("version = 2", "advert-interval = 1500ms"),
                    "agent.conf:9: omlha.groups.g.advert-interval: VRRPv2 needs whole seconds 1s..255s, got 1.5s");
            assertProblems(group("version = 2", "advert-interval = 256s"),
                    "agent.conf:9: omlha.groups.g.advert-interval: VRRPv2 needs whole seconds 1s..255s, got 256s");
        }

        @Test
        void needsAUnit() {
            assertProblems(group("advert-interval = 1"),
                    "agent.conf:8: omlha.groups.g.advert-interval: expected a duration like 1s or 10ms, got 1 (a unit is required)");
            assertProblems(group("advert-interval = \"1\""),
                    "agent.conf:8: omlha.groups.g.advert-interval: expected a duration like 1s or 10ms, got \"1\"");
            assertProblems(group("advert-interval = soon"),
                    "agent.conf:8: omlha.groups.g.advert-interval: expected a duration like 1s or 10ms, got \"soon\"");
        }

        @Test
        void inheritedValueCheckedAgainstTheGroupVersion() {
            assertProblems("omlha {\n  interface = eth0\n  vrrp { advert-interval = 500ms }\n"
                            + "  groups {\n    g { vrid = 1, vips = [\"192.0.2.1/24\"], version = 2 }\n  }\n}\n",
                    "agent.conf:5: omlha.groups.g.advert-interval: VRRPv2 needs whole seconds 1s..255s, got 500ms "
                            + "(inherited from omlha.vrrp.advert-interval: set advert-interval here)");
        }

        @Test
        void vrrpDefaultChecked() {
            assertProblems("omlha {\n  interface = eth0\n  vrrp { advert-interval = 5ms }\n"
                            + "  groups { g { vrid = 1, vips = [\"192.0.2.1/24\"] } }\n}\n",
                    "agent.conf:3: omlha.vrrp.advert-interval: VRRPv3 needs 10ms..40.95s in steps of 10ms, got 5ms");
        }
    }

    @Test
    void preempt() {
        assertFalse(validGroup("preempt = false").preempt());
        assertFalse(validGroup("preempt = off").preempt());
        assertProblems(group("preempt = maybe"), "agent.conf:8: omlha.groups.g.preempt: expected true or false, got \"maybe\"");
    }

    @Test
    void preemptDelay() {
        assertEquals(Duration.ofMinutes(1), validGroup("preempt-delay = 1m").preemptDelay());
        assertEquals(Duration.ofHours(1), validGroup("preempt-delay = 1h").preemptDelay());
        assertProblems(group("preempt-delay = -1s"), "agent.conf:8: omlha.groups.g.preempt-delay: must be 0s..3600s, got -1s");
        assertProblems(group("preempt-delay = 2h"), "agent.conf:8: omlha.groups.g.preempt-delay: must be 0s..3600s, got 7200s");
    }

    @Nested
    class UnicastPeers {
        @Test
        void addressesOfTheGroupFamily() throws Exception {
            assertEquals(List.of(InetAddress.getByName("192.0.2.2"), InetAddress.getByName("192.0.2.3")),
                    validGroup("unicast-peers = [\"192.0.2.2\", \"192.0.2.3\"]").unicastPeers());
            assertProblems(group("unicast-peers = [\"2001:db8::2\"]"),
                    "agent.conf:8: omlha.groups.g.unicast-peers[0]: 2001:db8::2 is IPv6 but the group's VIPs are IPv4");
        }

        @Test
        void literalsOnly() {
            assertProblems(group("unicast-peers = [\"peer.example.com\"]"),
                    "agent.conf:8: omlha.groups.g.unicast-peers[0]: expected an IPv4 or IPv6 address, got \"peer.example.com\"");
            assertProblems(group("unicast-peers = [\"192.0.2.256\"]"),
                    "agent.conf:8: omlha.groups.g.unicast-peers[0]: expected an IPv4 or IPv6 address, got \"192.0.2.256\"");
        }

        @Test
        void noDuplicatesNorMulticast() {
            assertProblems(group("unicast-peers = [\"192.0.2.2\", \"192.0.2.2\"]"),
                    "agent.conf:8: omlha.groups.g.unicast-peers[1]: 192.0.2.2 is listed twice");
            assertProblems(group("unicast-peers = [\"224.0.0.18\"]"),
                    "agent.conf:8: omlha.groups.g.unicast-peers[0]: 224.0.0.18 cannot be a unicast peer (unspecified or multicast)");
        }
    }

    @Nested
    class AuthPass {
        @Test
        void onlyWithVersion2() {
            assertEquals(Optional.of("secret"), validGroup("version = 2", "auth-pass = secret").authPass());
            assertProblems(group("auth-pass = secret"),
                    "agent.conf:8: omlha.groups.g.auth-pass: only with version 2: VRRPv3 has no authentication");
        }

        @Test
        void oneToEightCharacters() {
            assertEquals(Optional.of("12345678"), validGroup("version = 2", "auth-pass = \"12345678\"").authPass());
            assertProblems(group("version = 2", "auth-pass = \"123456789\""),
                    "agent.conf:9: omlha.groups.g.auth-pass: must be 1..8 characters, got 9 "
                            + "(keepalived would silently cut it to 8; we refuse)");
            assertProblems(group("version = 2", "auth-pass = \"\""),
                    "agent.conf:9: omlha.groups.g.auth-pass: must be 1..8 characters, got 0 "
                            + "(keepalived would silently cut it to 8; we refuse)");
            assertProblems(group("version = 2", "auth-pass = \"pässwd\""),
                    "agent.conf:9: omlha.groups.g.auth-pass: must be printable ASCII");
        }
    }

    @Nested
    class TrackedProbes {
        @Test
        void probeAndWeight() {
            assertEquals(List.of(new Track("web", -60), new Track("pg", 0)),
                    validGroup("track = [{ probe = web, weight = -60 }, { probe = pg }]").track());
        }

        @Test
        void probeMustExist() {
            assertProblems(group("track = [{ probe = nope, weight = -10 }]"),
                    "agent.conf:8: omlha.groups.g.track[0].probe: no probe named \"nope\" in omlha.probes");
        }

        @Test
        void probeRequired() {
            assertProblems(group("track = [{ weight = -10 }]"), "agent.conf:8: omlha.groups.g.track[0].probe: required");
        }

        @Test
        void weightRange() {
            assertEquals(254, validGroup("track = [{ probe = web, weight = 254 }]").track().get(0).weight());
            assertProblems(group("track = [{ probe = web, weight = -255 }]"),
                    "agent.conf:8: omlha.groups.g.track[0].weight: must be -254..254, got -255");
        }

        @Test
        void unknownKeyInAnEntry() {
            assertProblems(group("track = [{ probe = web, wieght = 5 }]"),
                    "agent.conf:8: omlha.groups.g.track[0].wieght: unknown key (expected one of: probe, weight)");
        }

        @Test
        void entriesAreObjects() {
            assertProblems(group("track = [web]"), "agent.conf:8: omlha.groups.g.track[0]: expected an object, got \"web\"");
        }

        @Test
        void noProbeTwice() {
            assertProblems(group("track = [{ probe = web }, { probe = web, weight = -5 }]"),
                    "agent.conf:8: omlha.groups.g.track[1].probe: probe web is tracked twice");
        }
    }

    @Nested
    class Following {
        @Test
        void postgresqlRole() {
            assertEquals(Optional.of(new Follow("pg", Follow.Role.STANDBY)),
                    validGroup("follow = { probe = pg, role = standby }").follow());
        }

        @Test
        void probeMustBePostgresql() {
            assertProblems(group("follow = { probe = web, role = primary }"),
                    "agent.conf:8: omlha.groups.g.follow.probe: probe web has type http; follow needs a postgresql or redis probe");
        }

        @Test
        void probeMustExist() {
            assertProblems(group("follow = { probe = db, role = primary }"),
                    "agent.conf:8: omlha.groups.g.follow.probe: no probe named \"db\" in omlha.probes");
        }

        @Test
        void role() {
            assertProblems(group("follow = { probe = pg, role = master }"),
                    "agent.conf:8: omlha.groups.g.follow.role: master is for a redis probe; a postgresql probe follows primary or standby");
            assertProblems(group("follow = { probe = pg }"), "agent.conf:8: omlha.groups.g.follow.role: required");
        }

        @Test
        void priorityIsTheBase() {
            GroupConfig g = validGroup("priority = 120", "follow = { probe = pg, role = primary }");
            assertEquals(120, g.priority());
        }
    }

    @Nested
    class Announce {
        @Test
        void keepalivedDefaults() {
            assertEquals(new AnnounceConfig(5, Duration.ZERO, Duration.ofSeconds(5), Duration.ZERO, 1), validGroup().announce());
        }

        @Test
        void groupKeysOverrideVrrpKeysOneByOne() {
            AgentConfig config = valid("omlha {\n  interface = eth0\n"
                    + "  vrrp { announce { repeat = 3, refresh = 30s } }\n"
                    + "  groups {\n"
                    + "    a { vrid = 1, vips = [\"192.0.2.1/24\"], announce { spacing = 20ms, refresh-repeat = 2 } }\n"
                    + "    b { vrid = 2, vips = [\"192.0.2.2/24\"] }\n"
                    + "  }\n}\n");
            assertEquals(new AnnounceConfig(3, Duration.ofMillis(20), Duration.ofSeconds(5), Duration.ofSeconds(30), 2),
                    config.groups().get(0).announce());
            assertEquals(new AnnounceConfig(3, Duration.ZERO, Duration.ofSeconds(5), Duration.ofSeconds(30), 1),
                    config.groups().get(1).announce());
        }

        @Test
        void ranges() {
            assertProblems(group("announce { repeat = 0 }"), "agent.conf:8: omlha.groups.g.announce.repeat: must be 1..100, got 0");
            assertProblems(group("announce { refresh-repeat = 101 }"),
                    "agent.conf:8: omlha.groups.g.announce.refresh-repeat: must be 1..100, got 101");
            assertProblems(group("announce { spacing = -1ms }"),
                    "agent.conf:8: omlha.groups.g.announce.spacing: must be 0s..10s, got -1ms");
            assertProblems(group("announce { refresh = 500ms }"),
                    "agent.conf:8: omlha.groups.g.announce.refresh: must be 0s (off) or at least 1s, got 500ms");
            assertProblems(group("announce { second-burst-delay = 2h }"),
                    "agent.conf:8: omlha.groups.g.announce.second-burst-delay: must be 0s..3600s, got 7200s");
        }

        @Test
        void unknownKey() {
            assertProblems(group("announce { garp_master_repeat = 5 }"),
                    "agent.conf:8: omlha.groups.g.announce.garp_master_repeat: unknown key (expected one of: repeat, spacing, "
                            + "second-burst-delay, refresh, refresh-repeat)");
        }
    }

    @Nested
    class Interface {
        @Test
        void groupOverridesTheDefault() {
            assertEquals("eth1", validGroup("interface = eth1").interfaceName());
        }

        @Test
        void requiredWithoutADefault() {
            assertProblems("omlha {\n  groups {\n    g { vrid = 1, vips = [\"192.0.2.1/24\"] }\n  }\n}\n",
                    "agent.conf:3: omlha.groups.g.interface: required, as omlha.interface (the default of every group) is not set");
        }

        @Test
        void notRequiredWhenEveryGroupHasOne() {
            AgentConfig config = valid("omlha {\n  groups {\n    g { vrid = 1, vips = [\"192.0.2.1/24\"], interface = ens3 }\n  }\n}\n");
            assertEquals("", config.defaultInterface());
            assertEquals("ens3", config.groups().get(0).interfaceName());
        }

        @Test
        void linuxInterfaceName() {
            assertProblems(group("interface = \"a-very-long-interface\""),
                    "agent.conf:8: omlha.groups.g.interface: not a Linux interface name (at most 15 characters, no '/', ':' or "
                            + "blanks): \"a-very-long-interface\"");
            assertProblems(group("interface = \"eth0/1\""),
                    "agent.conf:8: omlha.groups.g.interface: not a Linux interface name (at most 15 characters, no '/', ':' or "
                            + "blanks): \"eth0/1\"");
        }
    }
}
