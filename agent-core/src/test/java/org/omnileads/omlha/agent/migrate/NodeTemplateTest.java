package org.omnileads.omlha.agent.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.ConfigLoader;
import org.omnileads.omlha.agent.config.EmailNotify;
import org.omnileads.omlha.agent.config.Follow;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.agent.config.ProbeSpec;
import org.omnileads.omlha.agent.config.Track;

/** `init --from-env`: the document's installer variables become a configuration that ConfigLoader accepts. */
class NodeTemplateTest {
    @TempDir
    Path dir;

    static Map<String, String> asteriskMain() {
        return Map.of("oml_ha_rol", "main", "oml_ha_vip", "172.16.20.80", "oml_ha_vip_nic", "eth0",
                "oml_ha_tenant", "omnileads.example", "oml_ha_email", "notifications@domain.com");
    }

    static Map<String, String> haproxyBackup() {
        return Map.of("oml_ha_rol", "backup", "oml_ha_vip", "172.16.20.84", "oml_ha_vip_nic", "eth0",
                "oml_ha_tenant", "omnileads.example", "oml_ha_email", "notifications@domain.com");
    }

    static Map<String, String> postgresqlMain() {
        return Map.of("oml_ha_rol", "main", "oml_ha_vip_nic", "eth0", "oml_ha_vip_main", "172.16.20.65",
                "oml_ha_vip_backup", "172.16.20.66");
    }

    /** The document's variables of a Redis replica node, plus the VIP, its NIC and the Sentinels. */
    static Map<String, String> redisBackup() {
        return Map.of("oml_ha_rol", "backup", "oml_master_ip", "10.10.10.10", "oml_master_port", "6379",
                "oml_ha_vip", "10.10.10.71", "oml_ha_vip_nic", "eth0", "oml_ha_sentinels", "10.10.10.11,10.10.10.12:26380,10.10.10.13");
    }

    private record Run(int exit, String stdout, String stderr) {
    }

    private Run init(String role, Map<String, String> env, Path output) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Migration.init(Optional.ofNullable(role), env, "node-a", Optional.ofNullable(output),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private AgentConfig written(String role, Map<String, String> env) throws Exception {
        Path file = dir.resolve(role + ".conf");
        Run run = init(role, env, file);
        assertEquals(0, run.exit(), run.stderr());
        return ConfigLoader.load(file);
    }

    @Test
    void asteriskMainTracksSipOptionsWithWeightZero() throws Exception {
        AgentConfig config = written("asterisk", asteriskMain());

        assertEquals("omnileads.example", config.tenant());
        assertEquals("eth0", config.defaultInterface());
        GroupConfig group = config.group("asterisk").orElseThrow();
        assertEquals(51, group.vrid());
        assertEquals(150, group.priority());
        assertTrue(group.preempt());
        assertEquals("172.16.20.80", group.vips().get(0).addressText());
        assertEquals(32, group.vips().get(0).prefixLength());
        assertEquals(List.of(new Track("asterisk", 0)), group.track());
        assertEquals(new ProbeSpec.SipOptions("127.0.0.1:5060"), config.probe("asterisk").orElseThrow().spec());
        assertEquals(Optional.of(new EmailNotify(List.of("notifications@domain.com"), "omlha@node-a", "127.0.0.1:25")),
                config.notifications().email());
    }

    @Test
    void haproxyBackupHasTheLowerPriorityAndAnHttpProbe() throws Exception {
        AgentConfig config = written("haproxy", haproxyBackup());

        GroupConfig group = config.group("haproxy").orElseThrow();
        assertEquals(52, group.vrid());
        assertEquals(100, group.priority());
        assertEquals(List.of(new Track("haproxy", 0)), group.track());
        assertEquals(NodeTemplate.HAPROXY_HEALTH_URL,
                assertInstanceOf(ProbeSpec.Http.class, config.probe("haproxy").orElseThrow().spec()).url().toString());
    }

    @Test
    void postgresqlGroupsFollowTheDatabaseRolesAndTheRoleIsInferred() throws Exception {
        AgentConfig config = written(null, postgresqlMain());

        GroupConfig rw = config.group("pgsql-rw").orElseThrow();
        GroupConfig ro = config.group("pgsql-ro").orElseThrow();
        assertEquals(61, rw.vrid());
        assertEquals(62, ro.vrid());
        assertEquals("172.16.20.65", rw.vips().get(0).addressText());
        assertEquals("172.16.20.66", ro.vips().get(0).addressText());
        assertEquals(Optional.of(new Follow("pg", Follow.Role.PRIMARY)), rw.follow());
        assertEquals(Optional.of(new Follow("pg", Follow.Role.STANDBY)), ro.follow());
        assertEquals("postgresql", config.probe("pg").orElseThrow().spec().typeName());
        assertEquals(Optional.empty(), config.notifications().email());
        assertEquals("", config.tenant());
    }

    @Test
    void redisFollowsTheMasterTheSentinelsElectAndTheRoleIsInferred() throws Exception {
        AgentConfig config = written(null, redisBackup());

        GroupConfig redis = config.group("redis").orElseThrow();
        assertEquals(71, redis.vrid());
        assertEquals(100, redis.priority());
        assertEquals("10.10.10.71", redis.vips().get(0).addressText());
        assertEquals(Optional.of(new Follow("redis", Follow.Role.MASTER)), redis.follow());
        assertEquals(new ProbeSpec.Redis(Optional.of("redis://127.0.0.1:6379"), Optional.of("mymaster"),
                List.of("10.10.10.11:26379", "10.10.10.12:26380", "10.10.10.13:26379")), config.probe("redis").orElseThrow().spec());
    }

    @Test
    void writesToStandardOutputWithoutOutputFile() {
        Run run = init("asterisk", asteriskMain(), null);
        assertEquals(0, run.exit());
        assertTrue(run.stdout().startsWith("# omlha-agent: asterisk node, main"));
    }

    @ParameterizedTest
    @CsvSource({
        "asterisk, oml_ha_rol, , oml_ha_rol: not set",
        "asterisk, oml_ha_rol, master, oml_ha_rol: must be main or backup, got \"master\"",
        "asterisk, oml_ha_vip, , oml_ha_vip: not set",
        "asterisk, oml_ha_vip, 172.16.20.300, oml_ha_vip: expected an IP address",
        "haproxy, oml_ha_vip, 172.16.20.84/40, oml_ha_vip: prefix length must be 1..32",
        "haproxy, oml_ha_vip_nic, , oml_ha_vip_nic: not set",
        "haproxy, oml_ha_vip_nic, eth0:1, oml_ha_vip_nic: not a Linux interface name",
        "haproxy, oml_ha_email, nobody, oml_ha_email: expected an e-mail address",
        "postgresql, oml_ha_vip_main, , oml_ha_vip_main: not set",
        "postgresql, oml_ha_vip_backup, 172.16.20.65, oml_ha_vip_backup: must differ from oml_ha_vip_main",
        "dns, oml_ha_rol, main, --role: must be asterisk, haproxy, postgresql or redis",
        "redis, oml_ha_sentinels, , oml_ha_sentinels: not set: list the Sentinels",
        "redis, oml_ha_sentinels, '10.10.10.11,10.10.10.12', oml_ha_sentinels: lists 2; at least three are needed",
        "redis, oml_ha_sentinels, '10.10.10.11,10.10.10.11:26379,10.10.10.12', oml_ha_sentinels: 10.10.10.11:26379 is listed twice",
        "redis, oml_master_port, 70000, oml_master_port: expected a port 1..65535",
        "redis, oml_master_ip, , oml_master_ip: not set",
    })
    void aMissingOrBadVariableIsNamedExitsTwoAndWritesNothing(String role, String variable, String value, String message) {
        Map<String, String> env = new HashMap<>(role.equals("postgresql") ? postgresqlMain()
                : role.equals("redis") ? redisBackup() : haproxyBackup());
        if (value == null) {
            env.remove(variable);
        } else {
            env.put(variable, value);
        }
        Path file = dir.resolve("agent.conf");
        Run run = init(role, env, file);

        assertEquals(2, run.exit());
        assertTrue(run.stderr().startsWith("omlha-agent init: " + message), run.stderr());
        assertFalse(Files.exists(file));
        assertEquals("", run.stdout());
    }

    @Test
    void withoutRoleAsteriskAndHaproxyCannotBeTold() {
        Run run = init(null, asteriskMain(), null);
        assertEquals(2, run.exit());
        assertTrue(run.stderr().startsWith("omlha-agent init: --role: required"), run.stderr());
    }
}
