package org.omnileads.omlha.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.omnileads.omlha.agent.config.TestConfigs.assertProblems;
import static org.omnileads.omlha.agent.config.TestConfigs.probe;
import static org.omnileads.omlha.agent.config.TestConfigs.validProbe;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** One test per rule of {@code omlha.probes.<name>}: the common timing keys, then each type's settings. */
class ProbeValidationTest {

    @Nested
    class Common {
        @Test
        void defaults() {
            assertEquals(new ProbeConfig("p", Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 1,
                    new ProbeSpec.Tcp("127.0.0.1:80")), validProbe("p { type = tcp, target = \"127.0.0.1:80\" }"));
        }

        @Test
        void typeRequired() {
            assertProblems(probe("p { target = \"127.0.0.1:80\" }"), "agent.conf:4: omlha.probes.p.type: required");
        }

        @Test
        void unknownType() {
            assertProblems(probe("p { type = ping }"), "agent.conf:4: omlha.probes.p.type: unknown probe type \"ping\" "
                    + "(expected one of: tcp, http, exec, postgresql, redis, sip-options, ami, process)");
        }

        @Test
        void intervalAtLeast10ms() {
            assertEquals(Duration.ofMillis(10), validProbe("p { type = tcp, target = \"h:1\", interval = 10ms }").interval());
            assertProblems(probe("p { type = tcp, target = \"h:1\", interval = 5ms }"),
                    "agent.conf:4: omlha.probes.p.interval: must be 10ms..3600s, got 5ms");
        }

        @Test
        void timeoutDefaultsToTheIntervalUpToOneSecond() {
            assertEquals(Duration.ofMillis(500), validProbe("p { type = tcp, target = \"h:1\", interval = 500ms }").timeout());
            assertEquals(Duration.ofSeconds(1), validProbe("p { type = tcp, target = \"h:1\", interval = 5s }").timeout());
        }

        @Test
        void timeoutNotAboveTheInterval() {
            assertEquals(Duration.ofSeconds(2), validProbe("p { type = tcp, target = \"h:1\", interval = 2s, timeout = 2s }").timeout());
            assertProblems(probe("p { type = tcp, target = \"h:1\", interval = 1s, timeout = 2s }"),
                    "agent.conf:4: omlha.probes.p.timeout: must not exceed interval 1s, got 2s");
            assertProblems(probe("p { type = tcp, target = \"h:1\", timeout = 0s }"),
                    "agent.conf:4: omlha.probes.p.timeout: must be more than 0, got 0s");
        }

        @Test
        void riseAndFall() {
            ProbeConfig p = validProbe("p { type = tcp, target = \"h:1\", rise = 3, fall = 100 }");
            assertEquals(3, p.rise());
            assertEquals(100, p.fall());
            assertProblems(probe("p {", "  type = tcp, target = \"h:1\"", "  rise = 0", "  fall = 101", "}"),
                    "agent.conf:6: omlha.probes.p.rise: must be 1..100, got 0",
                    "agent.conf:7: omlha.probes.p.fall: must be 1..100, got 101");
        }

        @Test
        void settingsOfAnotherTypeAreUnknown() {
            assertProblems(probe("p { type = tcp, target = \"h:1\", url = \"http://h/\" }"),
                    "agent.conf:4: omlha.probes.p.url: unknown key (expected one of: type, interval, timeout, rise, fall, target)");
        }

        @Test
        void name() {
            assertProblems(probe("\"my probe\" { type = tcp, target = \"h:1\" }"),
                    "agent.conf:4: omlha.probes.\"my probe\": name must be 1..64 letters, digits, '-' or '_'");
        }

        @Test
        void fileOrder() {
            AgentConfig config = TestConfigs.valid(probe("z { type = tcp, target = \"h:1\" }", "a { type = tcp, target = \"h:2\" }",
                    "m { type = tcp, target = \"h:3\" }"));
            assertEquals(List.of("z", "a", "m"), config.probes().stream().map(ProbeConfig::name).toList());
        }
    }

    @Test
    void tcp() {
        assertProblems(probe("p { type = tcp }"), "agent.conf:4: omlha.probes.p.target: required");
        assertProblems(probe("p { type = tcp, target = \"127.0.0.1\" }"), "agent.conf:4: omlha.probes.p.target: expected "
                + "host:port like 127.0.0.1:5060 or [2001:db8::1]:5060, got \"127.0.0.1\"");
        assertProblems(probe("p { type = tcp, target = \"127.0.0.1:0\" }"),
                "agent.conf:4: omlha.probes.p.target: port must be 1..65535 in \"127.0.0.1:0\"");
        assertEquals(new ProbeSpec.Tcp("[2001:db8::1]:5432"),
                validProbe("p { type = tcp, target = \"[2001:db8::1]:5432\" }").spec());
    }

    @Test
    void http() {
        assertEquals(new ProbeSpec.Http(URI.create("https://h/health"), 204, false),
                validProbe("p { type = http, url = \"https://h/health\", expect-status = 204, tls-verify = false }").spec());
        assertEquals(new ProbeSpec.Http(URI.create("http://h/"), 200, true),
                validProbe("p { type = http, url = \"http://h/\" }").spec(), "the defaults");
        assertProblems(probe("p { type = http, url = \"ftp://h/\" }"),
                "agent.conf:4: omlha.probes.p.url: expected an http:// or https:// URL, got \"ftp://h/\"");
        assertProblems(probe("p { type = http, url = \"http://h/\", expect-status = 600 }"),
                "agent.conf:4: omlha.probes.p.expect-status: must be 100..599, got 600");
    }

    @Test
    void exec() {
        assertEquals(new ProbeSpec.Exec(List.of("/bin/check", "-q")),
                validProbe("p { type = exec, command = [\"/bin/check\", \"-q\"] }").spec());
        assertProblems(probe("p { type = exec, command = \"/bin/check -q\" }"),
                "agent.conf:4: omlha.probes.p.command: expected a list, got \"/bin/check -q\"");
        assertProblems(probe("p { type = exec, command = [] }"), "agent.conf:4: omlha.probes.p.command: must not be empty: "
                + "the program and its arguments, like [\"/usr/bin/check\", \"-q\"]");
        assertProblems(probe("p { type = exec, command = [\"/bin/check\", [1]] }"),
                "agent.conf:4: omlha.probes.p.command[1]: expected a string, got a list");
    }

    @Test
    void postgresql() {
        assertEquals(new ProbeSpec.Postgres("jdbc:postgresql://db/postgres", Optional.empty(), Optional.empty(),
                        Optional.of(Duration.ofSeconds(5)), Optional.of(1024L), List.of()),
                validProbe("p { type = postgresql, url = \"jdbc:postgresql://db/postgres\", max-lag-bytes = 1024, max-lag = 5s }")
                        .spec());
        assertProblems(probe("p { type = postgresql, url = \"postgres://db\" }"), "agent.conf:4: omlha.probes.p.url: expected "
                + "a JDBC URL like jdbc:postgresql://127.0.0.1:5432/postgres, got \"postgres://db\"");
        assertProblems(probe("p { type = postgresql, url = \"jdbc:postgresql://db/\", max-lag-bytes = -1 }"),
                "agent.conf:4: omlha.probes.p.max-lag-bytes: must be 0 or more, got -1");
        assertProblems(probe("p { type = postgresql, url = \"jdbc:postgresql://db/\", max-lag-bytes = lots }"),
                "agent.conf:4: omlha.probes.p.max-lag-bytes: expected a byte count like 16777216 or 16MB, got \"lots\"");
        assertProblems(probe("p { type = postgresql, url = \"jdbc:postgresql://db/\", user = \"\" }"),
                "agent.conf:4: omlha.probes.p.user: must not be empty");
    }

    @Test
    void redis() {
        assertEquals(new ProbeSpec.Redis(Optional.of("redis://127.0.0.1:6379"), Optional.empty(), List.of()),
                validProbe("p { type = redis, uri = \"redis://127.0.0.1:6379\" }").spec());
        assertProblems(probe("p { type = redis }"),
                "agent.conf:4: omlha.probes.p.uri: required (or sentinels with sentinel-master)");
        assertProblems(probe("p { type = redis, sentinels = [\"h:26379\"] }"),
                "agent.conf:4: omlha.probes.p.sentinel-master: required with sentinels");
        assertProblems(probe("p { type = redis, uri = \"redis://h\", sentinel-master = m }"),
                "agent.conf:4: omlha.probes.p.sentinels: required with sentinel-master");
        assertProblems(probe("p { type = redis, sentinels = [\"h\"], sentinel-master = m }"), "agent.conf:4: "
                + "omlha.probes.p.sentinels[0]: expected host:port like 127.0.0.1:5060 or [2001:db8::1]:5060, got \"h\"");
        assertProblems(probe("p { type = redis, uri = \"http://h\" }"),
                "agent.conf:4: omlha.probes.p.uri: expected a Redis URI like redis://127.0.0.1:6379, got \"http://h\"");
    }

    @Test
    void sipOptions() {
        assertEquals(new ProbeSpec.SipOptions("127.0.0.1:5060"), validProbe("p { type = sip-options, target = \"127.0.0.1:5060\" }").spec());
        assertProblems(probe("p { type = sip-options }"), "agent.conf:4: omlha.probes.p.target: required");
    }

    @Test
    void ami() {
        assertEquals(new ProbeSpec.Ami("127.0.0.1:5038", "u", "s"),
                validProbe("p { type = ami, target = \"127.0.0.1:5038\", user = u, secret = s }").spec());
        assertProblems(probe("p { type = ami, target = \"127.0.0.1:5038\" }"),
                "agent.conf:4: omlha.probes.p.user: required",
                "agent.conf:4: omlha.probes.p.secret: required");
    }

    @Test
    void process() {
        assertEquals(new ProbeSpec.Process(Path.of("/run/asterisk/asterisk.pid")),
                validProbe("p { type = process, pidfile = \"/run/asterisk/asterisk.pid\" }").spec());
        assertProblems(probe("p { type = process, pidfile = \"asterisk.pid\" }"),
                "agent.conf:4: omlha.probes.p.pidfile: expected an absolute path, got \"asterisk.pid\"");
    }
}
