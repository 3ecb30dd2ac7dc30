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
import org.omnileads.omlha.agent.config.ConfigLoader;
import org.omnileads.omlha.agent.config.EmailNotify;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.agent.config.ProbeConfig;
import org.omnileads.omlha.agent.config.ProbeSpec;
import org.omnileads.omlha.agent.config.Track;

/**
 * The keepalived.conf that OMniLeads' own template renders (omlacd's deploy/templates/keepalived.j2, rendered for the
 * main and the backup node in src/test/resources/keepalived/omlacd-*.conf) converts into a configuration
 * check-config accepts, with the election the template sets up; the report names every adjustment: the sender
 * without a domain, the 'reise' typo, the shared sample router_id.
 */
class OmlacdTemplateImportTest {
    static final String HOST = "ast-01.example.net";
    static final String GROUP = "asterisk_omnileads_example";

    @TempDir
    Path dir;

    private static Path rendered(String role) {
        return Path.of("src/test/resources/keepalived/omlacd-" + role + ".conf");
    }

    private static KeepalivedImporter.Conversion convert(String role) throws Exception {
        return KeepalivedImporter.convert(KeepalivedConf.parse(Files.readString(rendered(role))), HOST);
    }

    @Test
    void mainNodeBecomesTheHigherPriorityOfGroup51WithTheTemplatesVipAuthAndCheck() throws Exception {
        KeepalivedImporter.Conversion conversion = convert("main");
        AgentConfig config = ConfigLoader.parse(conversion.hocon(), "omlacd-main");

        GroupConfig group = config.group(GROUP).orElseThrow(() -> new AssertionError(conversion.hocon()));
        assertEquals(1, config.groups().size());
        assertEquals(100, group.priority());
        assertTheTemplatesGroup(config, group);
    }

    @Test
    void backupNodeBecomesTheLowerPriorityOfTheSameGroup() throws Exception {
        KeepalivedImporter.Conversion conversion = convert("backup");
        AgentConfig config = ConfigLoader.parse(conversion.hocon(), "omlacd-backup");

        GroupConfig group = config.group(GROUP).orElseThrow(() -> new AssertionError(conversion.hocon()));
        assertEquals(1, config.groups().size());
        assertEquals(50, group.priority());
        assertTheTemplatesGroup(config, group);
        assertHas(conversion.notCarriedOver(), "line 37: " + GROUP + ": state BACKUP is ignored");
    }

    /** What both nodes share: one VRRPv2 group 51 on eth0, PASS 1111, the VIP, the check script and the mail. */
    private static void assertTheTemplatesGroup(AgentConfig config, GroupConfig group) {
        assertEquals(51, group.vrid());
        assertEquals("eth0", group.interfaceName());
        assertEquals(List.of("192.0.2.100/24"), group.vips().stream().map(v -> v.addressText() + "/" + v.prefixLength()).toList());
        assertEquals(2, group.version());
        assertEquals(Duration.ofSeconds(1), group.advertInterval());
        assertTrue(group.preempt());
        assertEquals(Optional.of("1111"), group.authPass());
        assertEquals(List.of(new Track("check_component", 0)), group.track());
        assertEquals(Map.of(), config.syncGroups());

        ProbeConfig probe = config.probe("check_component").orElseThrow();
        assertEquals(new ProbeSpec.Exec(List.of("/usr/bin/check_ha.sh")), probe.spec());
        assertEquals(Duration.ofSeconds(5), probe.interval());
        assertEquals(Duration.ofSeconds(5), probe.timeout());
        assertEquals(3, probe.fall());
        assertEquals(5, probe.rise());

        assertEquals(Optional.of(new EmailNotify(List.of("notifications@example.com"), "keepalived@" + HOST, "127.0.0.1:25")),
                config.notifications().email());
    }

    @Test
    void reportNamesTheSenderTheTypoAndTheSharedRouterIdOnBothNodes() throws Exception {
        for (String role : List.of("main", "backup")) {
            KeepalivedImporter.Conversion conversion = convert(role);
            List<String> notes = conversion.notCarriedOver();

            assertHas(notes, "line 14: global_defs notification_email_from keepalived has no domain: it becomes keepalived@" + HOST);
            assertHas(notes, "line 17: global_defs router_id LVS_DEVEL is keepalived's sample value");
            assertHas(notes, "line 23: vrrp_script check_component: no timeout: keepalived's default, the interval (5s), is written");
            assertHas(notes, "line 27: vrrp_script check_component: unknown keyword 'reise' (did you mean 'rise'?): read as 'rise 5'");
            assertHas(notes, "line 30: vrrp_sync_group omnileads_example_asterisk has one member (asterisk_omnileads.example)");
            // the router_id is not the node name: both nodes would be called LVS_DEVEL
            assertFalse(conversion.hocon().contains("node ="), conversion.hocon());
            assertFalse(conversion.hocon().contains("LVS_DEVEL\""), conversion.hocon());
            // and the report is at the top of the written file too
            assertTrue(conversion.hocon().contains("#   line 27: vrrp_script check_component: unknown keyword 'reise' (did you mean 'rise'?)"),
                    conversion.hocon());
        }
    }

    @Test
    void theCommandConvertsTheTemplatesFileExitZeroAndWritesWhatCheckConfigAccepts() throws Exception {
        Path out = dir.resolve("agent.conf");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Migration.importKeepalived(rendered("main"), HOST, Optional.of(out), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));

        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, stderr);
        assertEquals(100, ConfigLoader.load(out).group(GROUP).orElseThrow().priority());
        assertTrue(stderr.contains("line 14: global_defs notification_email_from keepalived has no domain"), stderr);
        assertTrue(stderr.contains("unknown keyword 'reise' (did you mean 'rise'?)"), stderr);
        assertTrue(stderr.contains("router_id LVS_DEVEL is keepalived's sample value"), stderr);
    }

    /** The case that exited 2 and wrote nothing: a sender that is only a local part, as the template writes it. */
    @Test
    void aSenderWithoutDomainNoLongerFailsTheImport() throws Exception {
        Path in = dir.resolve("keepalived.conf");
        Files.writeString(in, """
                global_defs {
                   notification_email {
                     notifications@example.com
                   }
                   notification_email_from keepalived
                   smtp_server 127.0.0.1
                }
                vrrp_instance VI_1 {
                    interface eth0
                    virtual_router_id 51
                    priority 100
                    virtual_ipaddress {
                        192.0.2.100/24
                    }
                }
                """);
        Path out = dir.resolve("agent.conf");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Migration.importKeepalived(in, HOST, Optional.of(out), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));

        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, stderr);
        assertFalse(stderr.contains("nothing written"), stderr);
        assertEquals("keepalived@" + HOST, ConfigLoader.load(out).notifications().email().orElseThrow().from());
        assertTrue(stderr.contains("line 5: global_defs notification_email_from keepalived has no domain: it becomes keepalived@"
                + HOST), stderr);
    }

    private static void assertHas(List<String> notes, String prefix) {
        assertTrue(notes.stream().anyMatch(n -> n.startsWith(prefix)),
                () -> "no note starting with: " + prefix + "\nnotes:\n" + String.join("\n", notes));
    }
}
