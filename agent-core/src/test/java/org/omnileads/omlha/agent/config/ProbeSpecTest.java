package org.omnileads.omlha.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnileads.omlha.agent.config.TestConfigs.validProbe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each probe type reads into its own {@link ProbeSpec}, which knows its type name and its case. */
class ProbeSpecTest {
    /** A minimal valid probe of each type, in the order of {@link ProbeSpec#TYPES}. */
    private static final Map<String, String> MINIMAL = new LinkedHashMap<>();

    static {
        MINIMAL.put("tcp", "target = \"127.0.0.1:80\"");
        MINIMAL.put("http", "url = \"http://127.0.0.1/\"");
        MINIMAL.put("exec", "command = [\"/bin/true\"]");
        MINIMAL.put("postgresql", "url = \"jdbc:postgresql://127.0.0.1/postgres\", user = u, password = secret-pw");
        MINIMAL.put("redis", "uri = \"redis://127.0.0.1:6379\"");
        MINIMAL.put("sip-options", "target = \"127.0.0.1:5060\"");
        MINIMAL.put("ami", "target = \"127.0.0.1:5038\", user = u, secret = secret-ami");
        MINIMAL.put("process", "pidfile = \"/run/x.pid\"");
    }

    private static ProbeSpec read(String type) {
        return validProbe("p { type = " + type + ", " + MINIMAL.get(type) + " }").spec();
    }

    @Test
    void everyTypeReadsIntoTheSpecThatBearsItsName() {
        assertEquals(ProbeSpec.TYPES, List.copyOf(MINIMAL.keySet()));
        for (String type : ProbeSpec.TYPES) {
            assertEquals(type, read(type).typeName());
        }
    }

    @Test
    void matchTakesTheCaseOfTheType() {
        ProbeSpec.Cases<String> names = new ProbeSpec.Cases<>() {
            @Override
            public String tcp(ProbeSpec.Tcp spec) {
                return "tcp " + spec.target();
            }

            @Override
            public String http(ProbeSpec.Http spec) {
                return "http " + spec.url();
            }

            @Override
            public String exec(ProbeSpec.Exec spec) {
                return "exec " + spec.command();
            }

            @Override
            public String postgres(ProbeSpec.Postgres spec) {
                return "postgresql " + spec.url();
            }

            @Override
            public String redis(ProbeSpec.Redis spec) {
                return "redis " + spec.uri().orElseThrow();
            }

            @Override
            public String sipOptions(ProbeSpec.SipOptions spec) {
                return "sip-options " + spec.target();
            }

            @Override
            public String ami(ProbeSpec.Ami spec) {
                return "ami " + spec.target();
            }

            @Override
            public String process(ProbeSpec.Process spec) {
                return "process " + spec.pidfile();
            }
        };
        List<String> matched = new ArrayList<>();
        for (String type : ProbeSpec.TYPES) {
            matched.add(read(type).match(names));
        }
        assertEquals(List.of("tcp 127.0.0.1:80", "http http://127.0.0.1/", "exec [/bin/true]",
                "postgresql jdbc:postgresql://127.0.0.1/postgres", "redis redis://127.0.0.1:6379",
                "sip-options 127.0.0.1:5060", "ami 127.0.0.1:5038", "process /run/x.pid"), matched);
    }

    @Test
    void peersKeepTheirUrlAndTheHostPortTheyName() {
        assertEquals(new ProbeSpec.PeerDatabase("192.0.2.12:5432", "jdbc:postgresql://192.0.2.12:5432/postgres"),
                ProbeSpec.PeerDatabase.of("jdbc:postgresql://192.0.2.12:5432/postgres"));
        assertEquals(new ProbeSpec.PeerDatabase("[2001:db8::12]:5432", "jdbc:postgresql://[2001:db8::12]:5432"),
                ProbeSpec.PeerDatabase.of("jdbc:postgresql://[2001:db8::12]:5432"));
    }

    @Test
    void secretsStayOutOfToString() {
        String pg = read("postgresql").toString();
        String ami = read("ami").toString();
        assertFalse(pg.contains("secret-pw"), pg);
        assertTrue(pg.contains("user=Optional[u]"), pg);
        assertFalse(ami.contains("secret-ami"), ami);
    }
}
