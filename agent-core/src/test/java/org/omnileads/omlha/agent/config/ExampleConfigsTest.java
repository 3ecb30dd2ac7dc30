package org.omnileads.omlha.agent.config;

import org.omnileads.omlha.vip.VipAddress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The contract's example and realistic node configurations parse into the expected values. */
class ExampleConfigsTest {

    @Test
    void contractExampleParsesWithoutTheEnvironmentVariable() throws Exception {
        AgentConfig config = ConfigLoader.load(TestConfigs.resource("contract-example.conf"), Map.of());

        assertEquals("pgsql-01", config.node());
        assertEquals("omnileads.example", config.tenant());
        assertEquals("eth0", config.defaultInterface());
        assertEquals(Path.of("/run/omlha/agent.sock"), config.controlSocket());
        assertEquals("0.0.0.0:9273", config.metricsListen());
        assertEquals(new VrrpDefaults(3, Duration.ofSeconds(1), AnnounceConfig.DEFAULTS), config.vrrp());

        assertEquals(List.of("asterisk", "pgsql-rw", "pgsql-ro"), config.groups().stream().map(GroupConfig::name).toList());
        GroupConfig asterisk = config.groups().get(0);
        assertEquals(51, asterisk.vrid());
        assertEquals(List.of(Addresses.parseVip("192.0.2.100/24")), asterisk.vips());
        assertEquals(150, asterisk.priority());
        assertEquals("eth0", asterisk.interfaceName());
        assertEquals(3, asterisk.version());
        assertEquals(100, asterisk.advertIntervalCentis());
        assertTrue(asterisk.preempt());
        assertEquals(Duration.ZERO, asterisk.preemptDelay());
        assertEquals(List.of(), asterisk.unicastPeers());
        assertEquals(Optional.empty(), asterisk.authPass());
        assertEquals(Optional.empty(), asterisk.follow());
        assertEquals(AnnounceConfig.DEFAULTS, asterisk.announce());
        assertFalse(asterisk.isIpv6());

        GroupConfig rw = config.groups().get(1);
        assertEquals(61, rw.vrid());
        assertEquals(100, rw.priority());
        assertEquals(Optional.of(new Follow("pg", Follow.Role.PRIMARY)), rw.follow());
        assertEquals(Optional.of(new Follow("pg", Follow.Role.STANDBY)), config.groups().get(2).follow());

        assertEquals(List.of("asterisk", "web", "pg"), config.probes().stream().map(ProbeConfig::name).toList());
        ProbeConfig sip = config.probes().get(0);
        assertEquals(new ProbeConfig("asterisk", Duration.ofSeconds(1), Duration.ofMillis(500), 2, 2,
                new ProbeSpec.SipOptions("127.0.0.1:5060")), sip);
        assertEquals(new ProbeSpec.Http(URI.create("http://127.0.0.1:8080/"), 200, true), config.probes().get(1).spec());
        assertEquals(new ProbeSpec.Postgres("jdbc:postgresql://127.0.0.1:5432/postgres", Optional.of("omlha"), Optional.empty(),
                Optional.empty(), Optional.empty(), List.of()), config.probe("pg").orElseThrow().spec());

        assertEquals(new NotifyConfig(
                Optional.of(new EmailNotify(List.of("notifications@domain.com"), "omlha@example.com", "127.0.0.1:25")),
                Optional.of("/etc/omlha/notify.sh")), config.notifications());
    }

    @Test
    void contractExampleTakesThePasswordFromTheEnvironment() throws Exception {
        AgentConfig config = ConfigLoader.load(TestConfigs.resource("contract-example.conf"),
                Map.of("OMLHA_PG_PASSWORD", "s3cret"));

        assertEquals(Optional.of("s3cret"), postgres(config.probe("pg").orElseThrow()).password());
    }

    @Test
    void asteriskNode() throws Exception {
        AgentConfig config = ConfigLoader.load(TestConfigs.resource("asterisk-node.conf"), Map.of());

        GroupConfig asterisk = config.group("asterisk").orElseThrow();
        assertEquals(50, asterisk.advertIntervalCentis());
        assertFalse(asterisk.preempt());
        assertEquals(List.of(InetAddress.getByName("198.51.100.12")), asterisk.unicastPeers());
        assertEquals(List.of(new Track("sip", -60), new Track("ami", -60), new Track("asterisk-process", 0)),
                asterisk.track());
        assertEquals(List.of("sip", "ami", "asterisk-process"), config.probes().stream().map(ProbeConfig::name).toList());
        assertEquals("changeme", ami(config.probe("ami").orElseThrow()).secret());
        assertEquals(new ProbeSpec.Process(Path.of("/var/run/asterisk/asterisk.pid")),
                config.probe("asterisk-process").orElseThrow().spec());
        assertEquals(Optional.empty(), config.notifications().email());
    }

    @Test
    void asteriskNodeSecretOverriddenByTheEnvironment() throws Exception {
        AgentConfig config = ConfigLoader.load(TestConfigs.resource("asterisk-node.conf"),
                Map.of("OMLHA_AMI_SECRET", "from-env"));

        assertEquals("from-env", ami(config.probe("ami").orElseThrow()).secret());
    }

    @Test
    void haproxyNode() throws Exception {
        AgentConfig config = ConfigLoader.load(TestConfigs.resource("haproxy-node.conf"), Map.of());

        assertEquals("", config.metricsListen());
        AnnounceConfig vrrpAnnounce = new AnnounceConfig(3, Duration.ofMillis(10), Duration.ofSeconds(5),
                Duration.ofSeconds(60), 1);
        assertEquals(new VrrpDefaults(2, Duration.ofSeconds(1), vrrpAnnounce), config.vrrp());

        GroupConfig v4 = config.group("web-v4").orElseThrow();
        assertEquals(2, v4.version());
        assertEquals(List.of(Addresses.parseVip("203.0.113.10/24"), Addresses.parseVip("203.0.113.11/24")), v4.vips());
        assertEquals(Optional.of("s3cr3t"), v4.authPass());
        assertEquals(Duration.ofSeconds(30), v4.preemptDelay());
        assertEquals(vrrpAnnounce, v4.announce());

        GroupConfig v6 = config.group("web-v6").orElseThrow();
        assertTrue(v6.isIpv6());
        assertEquals(10, v6.vrid());
        assertEquals(3, v6.version());
        assertEquals(10, v6.advertIntervalCentis());
        assertEquals("2001:db8:10::10/64", v6.vips().get(0).toString());
        assertEquals(List.of(InetAddress.getByName("2001:db8:10::2")), v6.unicastPeers());
        assertEquals(List.of(new Track("haproxy", 0)), v6.track());
        assertEquals(new AnnounceConfig(2, Duration.ofMillis(10), Duration.ofSeconds(5), Duration.ofSeconds(60), 1),
                v6.announce());

        GroupConfig websocket = config.group("websocket").orElseThrow();
        assertEquals("eth1", websocket.interfaceName());
        assertEquals(Duration.ofSeconds(3), websocket.advertInterval());

        assertEquals(new ProbeSpec.Exec(List.of("/usr/local/bin/check-haproxy", "--quiet")),
                config.probe("check").orElseThrow().spec());
        assertEquals(Duration.ofSeconds(2), config.probe("check").orElseThrow().timeout());
        assertEquals(Duration.ofSeconds(1), config.probe("haproxy").orElseThrow().timeout());
        assertEquals(new EmailNotify(List.of("ops@example.com", "noc@example.com"), "omlha@lb-01.example.com",
                "smtp.example.com:587"), config.notifications().email().orElseThrow());
    }

    @Test
    void postgresqlNode() throws Exception {
        AgentConfig config = ConfigLoader.load(TestConfigs.resource("postgresql-node.conf"),
                Map.of("OMLHA_PG_PASSWORD", "pw"));

        assertEquals("[::]:9273", config.metricsListen());
        assertEquals(List.of("pgsql-rw", "pgsql-ro", "redis"), config.groups().stream().map(GroupConfig::name).toList());
        assertFalse(config.group("pgsql-ro").orElseThrow().preempt());
        ProbeConfig pg = config.probe("pg").orElseThrow();
        assertEquals(new ProbeSpec.Postgres("jdbc:postgresql://127.0.0.1:5432/postgres", Optional.of("omlha"), Optional.of("pw"),
                Optional.of(Duration.ofSeconds(10)), Optional.of(16L * 1024 * 1024), List.of()), pg.spec());
        assertEquals(Duration.ofMillis(800), pg.timeout());
        assertEquals(new ProbeSpec.Redis(Optional.empty(), Optional.of("mymaster"), List.of("192.0.2.71:26379", "192.0.2.72:26379")),
                config.probe("redis").orElseThrow().spec());
        assertEquals(new NotifyConfig(Optional.empty(), Optional.of("/usr/local/libexec/omlha-notify")),
                config.notifications());
    }

    private static ProbeSpec.Postgres postgres(ProbeConfig probe) {
        return assertInstanceOf(ProbeSpec.Postgres.class, probe.spec());
    }

    private static ProbeSpec.Ami ami(ProbeConfig probe) {
        return assertInstanceOf(ProbeSpec.Ami.class, probe.spec());
    }
}
