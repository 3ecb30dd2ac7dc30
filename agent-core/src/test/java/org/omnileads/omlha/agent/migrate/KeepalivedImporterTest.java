package org.omnileads.omlha.agent.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.AnnounceConfig;
import org.omnileads.omlha.agent.config.ConfigLoader;
import org.omnileads.omlha.agent.config.EmailNotify;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.agent.config.ProbeConfig;
import org.omnileads.omlha.agent.config.ProbeSpec;
import org.omnileads.omlha.agent.config.Track;

/** keepalived.conf files as OMniLeads deploys them, converted: what carries over keeps its values, the rest is listed. */
class KeepalivedImporterTest {
    /** The host the files are converted on: addresses without a domain get its name. */
    static final String HOST = "ast-01.example.net";

    @TempDir
    Path dir;

    private static KeepalivedImporter.Conversion convert(String resource) throws Exception {
        Path file = Path.of("src/test/resources/keepalived", resource);
        return KeepalivedImporter.convert(KeepalivedConf.parse(Files.readString(file)), HOST);
    }

    private static String vips(GroupConfig group) {
        return String.join(",", group.vips().stream().map(v -> v.addressText() + "/" + v.prefixLength()).toList());
    }

    @Test
    void asteriskMainKeepsPriorityVridVipAuthAndTheCheckScript() throws Exception {
        KeepalivedImporter.Conversion conversion = convert("asterisk-main.conf");
        AgentConfig config = ConfigLoader.parse(conversion.hocon(), "asterisk-main");

        assertEquals("asterisk-main", config.node());
        assertEquals("eth0", config.defaultInterface());
        GroupConfig group = config.group("VI_ASTERISK").orElseThrow();
        assertEquals(51, group.vrid());
        assertEquals(150, group.priority());
        assertEquals("172.16.20.80/24", vips(group));
        assertEquals("eth0", group.interfaceName());
        assertEquals(2, group.version());
        assertEquals(Duration.ofSeconds(1), group.advertInterval());
        assertTrue(group.preempt());
        assertEquals(Optional.of("OMLha01"), group.authPass());
        assertEquals(List.of(new Track("check_asterisk", -60)), group.track());
        assertEquals(new AnnounceConfig(3, Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(60), 1), group.announce());

        ProbeConfig probe = config.probe("check_asterisk").orElseThrow();
        assertEquals(new ProbeSpec.Exec(List.of("/usr/bin/pidof", "asterisk")), probe.spec());
        assertEquals(Duration.ofSeconds(5), probe.interval());
        assertEquals(3, probe.fall());
        assertEquals(2, probe.rise());

        assertEquals(Optional.of("/etc/keepalived/notify.sh"), config.notifications().exec());
        assertEquals(Optional.of(new EmailNotify(List.of("notifications@domain.com"), "keepalived@asterisk-main",
                "127.0.0.1:25")), config.notifications().email());

        List<String> notes = conversion.notCarriedOver();
        assertHas(notes, "line 29: VI_ASTERISK: state MASTER is ignored");
        assertHas(notes, "line 44: VI_ASTERISK: notify_master /etc/keepalived/notify.sh master becomes notify.exec");
        assertHas(notes, "line 47: VI_ASTERISK: smtp_alert is not carried over");
        assertHas(notes, "line 10: global_defs smtp_connect_timeout is not carried over");
        assertHas(notes, "line 17: global_defs script_user is not carried over");
        assertTrue(conversion.hocon().startsWith("# Converted from keepalived.conf"));
        assertTrue(conversion.hocon().contains("#   line 29: VI_ASTERISK: state MASTER is ignored"));
    }

    @Test
    void haproxySyncGroupListsWhatItCannotCarry() throws Exception {
        KeepalivedImporter.Conversion conversion = convert("haproxy-sync.conf");
        AgentConfig config = ConfigLoader.parse(conversion.hocon(), "haproxy-sync");

        assertEquals("lb-backup", config.node());
        GroupConfig haproxy = config.group("VI_HAPROXY").orElseThrow();
        assertEquals(52, haproxy.vrid());
        assertEquals(100, haproxy.priority());
        assertEquals("ens192", haproxy.interfaceName());
        assertEquals(2, haproxy.version());
        assertEquals(Duration.ofSeconds(2), haproxy.advertInterval());
        assertFalse(haproxy.preempt());
        assertEquals(Duration.ofSeconds(30), haproxy.preemptDelay());
        assertEquals("203.0.113.11", haproxy.unicastPeers().get(0).getHostAddress());
        assertEquals(Optional.of("s3cr3t"), haproxy.authPass());
        assertEquals("203.0.113.84/32,203.0.113.85/24", vips(haproxy));
        assertEquals(List.of(new Track("chk_haproxy", -50)), haproxy.track());
        assertEquals(new AnnounceConfig(5, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(30), 1), haproxy.announce());

        GroupConfig redis = config.group("VI_REDIS").orElseThrow();
        assertEquals(53, redis.vrid());
        assertEquals(Duration.ofSeconds(1), redis.advertInterval());
        assertEquals(List.of(new Track("chk_redis", 0)), redis.track());
        assertEquals(new AnnounceConfig(2, Duration.ZERO, Duration.ofSeconds(5), Duration.ZERO, 1), redis.announce());

        ProbeConfig chkHaproxy = config.probe("chk_haproxy").orElseThrow();
        assertEquals(Duration.ofSeconds(2), chkHaproxy.timeout());
        assertEquals(Duration.ofSeconds(5), config.probe("chk_redis").orElseThrow().interval());
        assertEquals(Optional.empty(), config.notifications().exec());

        List<String> notes = conversion.notCarriedOver();
        assertHas(notes, "line 2: include /etc/keepalived/conf.d/*.conf is not followed");
        assertHas(notes, "line 9: vrrp_sync_group VG_LB (members: VI_HAPROXY, VI_REDIS) becomes sync-groups.VG_LB");
        assertEquals(java.util.Map.of("VG_LB", List.of("VI_HAPROXY", "VI_REDIS")), config.syncGroups());
        assertHas(notes, "line 16: vrrp_script chk_haproxy: timeout is longer than interval");
        assertHas(notes, "line 24: vrrp_script chk_redis: \"/usr/bin/redis-cli -h 127.0.0.1 ping | grep -q PONG\" has shell syntax");
        assertHas(notes, "line 38: VI_HAPROXY: unicast_src_ip 203.0.113.12 is not carried over");
        assertHas(notes, "line 48: VI_HAPROXY: VIP 203.0.113.85/24 dev ens224 is put on the group's interface ens192");
        assertHas(notes, "line 56: VI_HAPROXY: notify_master /etc/keepalived/master.sh is not carried over");
        assertHas(notes, "line 57: VI_HAPROXY: notify_backup /etc/keepalived/backup.sh is not carried over");
        assertHas(notes, "line 71: VI_REDIS: track_script chk_missing names no (usable) vrrp_script");
        assertHas(notes, "line 73: VI_REDIS: track_interface is not carried over");
        assertHas(notes, "line 78: virtual_server is not carried over");
    }

    @Test
    void v2IntervalsAreWholeSecondsAndV3KeepsCentiseconds() throws Exception {
        String conf = """
                global_defs { vrrp_version 3 }
                vrrp_instance A { interface eth0
                  virtual_router_id 7
                  advert_int 0.25
                  virtual_ipaddress { 2001:db8::7/64 }
                  notify /etc/keepalived/notify.sh
                }
                vrrp_instance B { interface eth1
                  version 2
                  virtual_router_id 8
                  advert_int 1.5
                  virtual_ipaddress { 192.0.2.8 }
                }
                """;
        KeepalivedImporter.Conversion conversion = KeepalivedImporter.convert(KeepalivedConf.parse(conf), HOST);
        AgentConfig config = ConfigLoader.parse(conversion.hocon(), "v3");

        GroupConfig a = config.group("A").orElseThrow();
        assertEquals(3, a.version());
        assertEquals(Duration.ofMillis(250), a.advertInterval());
        assertTrue(a.isIpv6());
        assertEquals(64, a.vips().get(0).prefixLength());
        GroupConfig b = config.group("B").orElseThrow();
        assertEquals(2, b.version());
        assertEquals("eth1", b.interfaceName());
        assertEquals(Duration.ofSeconds(2), b.advertInterval());
        assertEquals("192.0.2.8/32", vips(b));
        assertEquals(Optional.of("/etc/keepalived/notify.sh"), config.notifications().exec());
        assertHas(conversion.notCarriedOver(), "line 8: B: advert_int 1500ms is not possible with VRRPv2, it becomes 2s");
    }

    @Test
    void whatTheFileLeavesOutGetsKeepalivedsDefaultAndTheReportSaysSo() throws Exception {
        String conf = """
                global_defs {
                  notification_email {
                    root
                    ops@example.com
                    bad@
                  }
                  smtp_server 192.0.2.25 2525
                }
                vrrp_script chk {
                  script /usr/local/bin/chk
                  interval 3
                }
                vrrp_instance OWNER {
                  state MASTER
                  interface eth0
                  virtual_router_id 7
                  virtual_ipaddress { 192.0.2.7/24 }
                }
                vrrp_instance PLAIN {
                  state BACKUP
                  interface eth0
                  virtual_router_id 8
                  virtual_ipaddress { 192.0.2.8/24 }
                  track_script { chk }
                }
                """;
        KeepalivedImporter.Conversion conversion = KeepalivedImporter.convert(KeepalivedConf.parse(conf), HOST);
        AgentConfig config = ConfigLoader.parse(conversion.hocon(), "defaults");

        assertEquals(255, config.group("OWNER").orElseThrow().priority());
        assertEquals(100, config.group("PLAIN").orElseThrow().priority());
        assertEquals(Duration.ofSeconds(3), config.probe("chk").orElseThrow().timeout());
        assertEquals(List.of(new Track("chk", 0)), config.group("PLAIN").orElseThrow().track());
        assertEquals(Optional.of(new EmailNotify(List.of("root@" + HOST, "ops@example.com"), "keepalived@" + HOST, "192.0.2.25:2525")),
                config.notifications().email());

        List<String> notes = conversion.notCarriedOver();
        assertHas(notes, "line 3: global_defs notification_email root has no domain: it becomes root@" + HOST);
        assertHas(notes, "line 5: global_defs notification_email bad@ is not an e-mail address, not carried over");
        assertHas(notes, "line 2: global_defs: the sender is keepalived's default, keepalived@" + HOST);
        assertHas(notes, "line 9: vrrp_script chk: no timeout: keepalived's default, the interval (3s), is written");
        assertHas(notes, "line 13: OWNER: no priority: keepalived's default 255 (the address owner's, for state MASTER) is written");
        assertHas(notes, "line 19: PLAIN: no priority: keepalived's default 100 is written");
    }

    @Test
    void aMisspeltKeywordThatDecidesTheElectionIsOnlyReportedAndKeepalivedsDefaultStays() throws Exception {
        String conf = """
                global_defs { router_id lb-02 }
                vrrp_script chk {
                  script /usr/local/bin/chk
                  fal 3
                  reise 2
                }
                vrrp_instanse VI_LOST { virtual_router_id 9 }
                vrrp_instance VI_1 {
                  interface eth0
                  virtual_router_id 51
                  priorty 150
                  authentication {
                    auth_typ PASS
                    auth_pass secret
                  }
                  virtual_ipaddress { 192.0.2.100/24 }
                  track_script { chk }
                }
                """;
        KeepalivedImporter.Conversion conversion = KeepalivedImporter.convert(KeepalivedConf.parse(conf), HOST);
        AgentConfig config = ConfigLoader.parse(conversion.hocon(), "typos");

        assertEquals("lb-02", config.node());
        GroupConfig group = config.group("VI_1").orElseThrow();
        assertEquals(100, group.priority()); // keepalived ran it at 100, not 150
        assertEquals(Optional.empty(), group.authPass()); // keepalived sent no authentication either
        assertEquals(1, config.groups().size());
        ProbeConfig probe = config.probe("chk").orElseThrow();
        assertEquals(1, probe.fall());
        assertEquals(2, probe.rise());

        List<String> notes = conversion.notCarriedOver();
        assertHas(notes, "line 4: vrrp_script chk: unknown keyword 'fal' (did you mean 'fall'?): keepalived ignores it, so does the import");
        assertHas(notes, "line 5: vrrp_script chk: unknown keyword 'reise' (did you mean 'rise'?): read as 'rise 2'");
        assertHas(notes, "line 7: unknown keyword 'vrrp_instanse' (did you mean 'vrrp_instance'?): keepalived ignores it, so does the import");
        assertHas(notes, "line 11: VI_1: unknown keyword 'priorty' (did you mean 'priority'?): keepalived ignores it, so does the import");
        assertHas(notes, "line 13: VI_1: authentication unknown keyword 'auth_typ' (did you mean 'auth_type'?)");
        assertHas(notes, "line 8: VI_1: no priority: keepalived's default 100 is written");
        assertHas(notes, "line 12: VI_1: authentication without auth_type: keepalived sends none, neither does the agent");
        assertTrue(notes.stream().noneMatch(n -> n.contains("router_id")), String.join("\n", notes));
    }

    @Test
    void commandWritesTheFileAndListsTheRestOnStderrWithExitZero() throws Exception {
        Path out = dir.resolve("agent.conf");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Migration.importKeepalived(Path.of("src/test/resources/keepalived/haproxy-sync.conf"), HOST, Optional.of(out),
                System.out, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(0, exit);
        assertEquals(2, ConfigLoader.load(out).groups().size());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("vrrp_sync_group VG_LB (members: VI_HAPROXY, VI_REDIS)"));
    }

    @Test
    void commandRefusesAnUnparsableFileNamingTheLineAndWritesNothing() throws Exception {
        Path in = dir.resolve("keepalived.conf");
        Files.writeString(in, "vrrp_instance VI_1 {\n  state MASTER\n  virtual_ipaddress {\n    192.0.2.1\n}\n");
        Path out = dir.resolve("agent.conf");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Migration.importKeepalived(in, HOST, Optional.of(out), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(2, exit);
        assertFalse(Files.exists(out));
        assertEquals("omlha-agent import-keepalived: " + in + ": line 1: '{' of vrrp_instance is never closed\n",
                err.toString(StandardCharsets.UTF_8));
        assertEquals(2, Migration.importKeepalived(dir.resolve("missing.conf"), HOST, Optional.of(out), System.out,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    }

    private static void assertHas(List<String> notes, String prefix) {
        assertTrue(notes.stream().anyMatch(n -> n.startsWith(prefix)),
                () -> "no note starting with: " + prefix + "\nnotes:\n" + String.join("\n", notes));
    }
}
