package org.omnileads.omlha.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.omnileads.omlha.agent.config.TestConfigs.assertProblems;
import static org.omnileads.omlha.agent.config.TestConfigs.top;
import static org.omnileads.omlha.agent.config.TestConfigs.valid;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The keys of {@code omlha} outside groups and probes: node, tenant, control, metrics, notify; unknown keys. */
class TopLevelValidationTest {

    @Test
    void defaults() {
        AgentConfig config = valid(top());

        assertEquals(ConfigLoader.localHostname(), config.node());
        assertEquals("", config.tenant());
        assertEquals("", config.defaultInterface());
        assertEquals(Path.of("/run/omlha/agent.sock"), config.controlSocket());
        assertEquals("0.0.0.0:9273", config.metricsListen());
        assertEquals(VrrpDefaults.DEFAULTS, config.vrrp());
        assertEquals(10, config.realtimePriority());
        assertEquals(List.of(), config.probes());
        assertEquals(NotifyConfig.NONE, config.notifications());
    }

    @Test
    void rootMustBeOmlha() {
        assertProblems("omlah {\n  node = x\n}\n",
                "agent.conf:1: omlah: unknown key (expected one of: omlha)",
                "agent.conf:1: omlha: required");
        assertProblems("omlha = 5\n", "agent.conf:1: omlha: expected an object, got 5");
    }

    @Test
    void unknownKeyInOmlha() {
        assertProblems(top("interfaces = eth0"), "agent.conf:3: omlha.interfaces: unknown key (expected one of: node, tenant, "
                + "interface, control, state-dir, metrics, realtime-priority, vrrp, groups, probes, notify, sync-groups)");
    }

    @Test
    void stateDir() {
        assertEquals(AgentConfig.DEFAULT_STATE_DIR, valid(top()).stateDir());
        assertEquals(java.nio.file.Path.of("/tmp/omlha-state"), valid(top("state-dir = \"/tmp/omlha-state\"")).stateDir());
        assertProblems(top("state-dir = \"var/lib\""), "agent.conf:3: omlha.state-dir: an absolute path, like /var/lib/omlha");
    }

    @Test
    void realtimePriority() {
        assertEquals(AgentConfig.DEFAULT_REALTIME_PRIORITY, valid(top()).realtimePriority());
        assertEquals(0, valid(top("realtime-priority = 0")).realtimePriority());
        assertEquals(99, valid(top("realtime-priority = 99")).realtimePriority());
        assertProblems(top("realtime-priority = 100"), "agent.conf:3: omlha.realtime-priority: must be 0..99, got 100");
        assertProblems(top("realtime-priority = -1"), "agent.conf:3: omlha.realtime-priority: must be 0..99, got -1");
    }

    @Test
    void unknownKeysEverywhereAreAllReported() {
        assertProblems(top("control.sock = \"/x\"", "metrics.port = 9273", "vrrp.timeout = 1s", "notify.slack = x"),
                "agent.conf:3: omlha.control.sock: unknown key (expected one of: socket)",
                "agent.conf:4: omlha.metrics.port: unknown key (expected one of: listen)",
                "agent.conf:5: omlha.vrrp.timeout: unknown key (expected one of: version, advert-interval, announce)",
                "agent.conf:6: omlha.notify.slack: unknown key (expected one of: email, exec)");
    }

    @Test
    void node() {
        assertEquals("n1", valid(top("node = n1")).node());
        assertProblems(top("node = \"\""), "agent.conf:3: omlha.node: must not be empty");
        assertProblems(top("node = { a = 1 }"), "agent.conf:3: omlha.node: expected a string, got an object");
    }

    @Test
    void defaultInterface() {
        assertEquals("bond0.100", valid(top("interface = bond0.100")).defaultInterface());
        assertProblems(top("interface = \"\""), "agent.conf:3: omlha.interface: must not be empty");
        assertProblems(top("interface = \"eth 0\""), "agent.conf:3: omlha.interface: not a Linux interface name "
                + "(at most 15 characters, no '/', ':' or blanks): \"eth 0\"");
    }

    @Test
    void controlSocket() {
        assertEquals(Path.of("/tmp/omlha.sock"), valid(top("control.socket = \"/tmp/omlha.sock\"")).controlSocket());
        assertProblems(top("control.socket = \"/" + "s".repeat(107) + "\""),
                "agent.conf:3: omlha.control.socket: a unix socket path has at most 107 bytes");
    }

    @Test
    void metricsListen() {
        assertEquals("", valid(top("metrics.listen = \"\"")).metricsListen());
        assertEquals("127.0.0.1:9100", valid(top("metrics.listen = \"127.0.0.1:9100\"")).metricsListen());
        assertProblems(top("metrics.listen = \"9273\""), "agent.conf:3: omlha.metrics.listen: expected host:port like "
                + "127.0.0.1:5060 or [2001:db8::1]:5060, got \"9273\" (\"\" disables metrics)");
        assertProblems(top("metrics.listen = \"0.0.0.0:70000\""),
                "agent.conf:3: omlha.metrics.listen: port must be 1..65535 in \"0.0.0.0:70000\" (\"\" disables metrics)");
    }

    @Test
    void notifyEmail() {
        assertProblems(top("notify.email { to = [], from = \"a@b\", smtp = \"h:25\" }"),
                "agent.conf:3: omlha.notify.email.to: must name at least one address");
        assertProblems(top("notify.email { to = [\"ops\"], from = \"a@b\", smtp = \"h:25\" }"),
                "agent.conf:3: omlha.notify.email.to[0]: expected an e-mail address, got \"ops\"");
        assertProblems(top("notify.email { to = [\"ops@x\"], from = nobody, smtp = \"h\" }"),
                "agent.conf:3: omlha.notify.email.from: expected an e-mail address, got \"nobody\"",
                "agent.conf:3: omlha.notify.email.smtp: expected host:port like 127.0.0.1:5060 or [2001:db8::1]:5060, got \"h\"");
        assertProblems(top("notify.email {", "  to = [\"ops@x\"]", "}"),
                "agent.conf:3: omlha.notify.email.from: required",
                "agent.conf:3: omlha.notify.email.smtp: required");
    }

    @Test
    void notifyExec() {
        assertEquals(Optional.of("/usr/bin/notify"), valid(top("notify.exec = /usr/bin/notify")).notifications().exec());
        assertProblems(top("notify.exec = notify.sh"), "agent.conf:3: omlha.notify.exec: expected an absolute path, got \"notify.sh\"");
    }

    @Test
    void everyProblemIsReportedInLineOrder() {
        assertProblems("omlha {\n"
                        + "  groups {\n"
                        + "    a {\n"
                        + "      vrid = 256\n"
                        + "      vips = [\"192.0.2.1/24\"]\n"
                        + "      interface = eth0\n"
                        + "    }\n"
                        + "  }\n"
                        + "  probes { p { type = tcp, target = \"h:1\", rise = 0 } }\n"
                        + "  metrics.listen = nowhere\n"
                        + "}\n",
                "agent.conf:4: omlha.groups.a.vrid: must be 1..255, got 256",
                "agent.conf:9: omlha.probes.p.rise: must be 1..100, got 0",
                "agent.conf:10: omlha.metrics.listen: expected host:port like 127.0.0.1:5060 or [2001:db8::1]:5060, "
                        + "got \"nowhere\" (\"\" disables metrics)");
    }
}
