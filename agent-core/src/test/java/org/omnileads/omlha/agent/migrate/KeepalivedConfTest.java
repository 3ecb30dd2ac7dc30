package org.omnileads.omlha.agent.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.config.ConfigException;
import org.omnileads.omlha.agent.config.ConfigLoader;
import org.omnileads.omlha.agent.migrate.KeepalivedConf.Statement;

/** keepalived's syntax: blocks, comments, quotes; and whatever the text, a tree or a KeepalivedSyntaxException. */
class KeepalivedConfTest {

    @Test
    void readsBlocksLinesCommentsAndQuotedWords() throws Exception {
        List<Statement> conf = KeepalivedConf.parse("""
                ! header
                vrrp_script chk {   # comment
                  script "/usr/bin/pidof asterisk"
                  interval 5
                }
                vrrp_instance VI_1 { virtual_ipaddress { 192.0.2.1/24 dev eth0 } }
                """);

        assertEquals(2, conf.size());
        Statement script = conf.get(0);
        assertEquals(List.of("vrrp_script", "chk"), script.words());
        assertEquals(2, script.line());
        assertEquals(new Statement(3, List.of("script", "/usr/bin/pidof asterisk"), Optional.empty()), script.children().get(0));
        assertEquals(new Statement(4, List.of("interval", "5"), Optional.empty()), script.children().get(1));
        Statement vips = conf.get(1).children().get(0);
        assertEquals("virtual_ipaddress", vips.keyword());
        assertEquals(List.of("192.0.2.1/24", "dev", "eth0"), vips.children().get(0).words());
    }

    @Test
    void errorsNameTheLine() {
        assertEquals(2, assertThrows(KeepalivedSyntaxException.class,
                () -> KeepalivedConf.parse("a {\n  b \"open\n}\n")).line());
        assertEquals(3, assertThrows(KeepalivedSyntaxException.class,
                () -> KeepalivedConf.parse("a {\n}\n}\n")).line());
        KeepalivedSyntaxException unclosed = assertThrows(KeepalivedSyntaxException.class,
                () -> KeepalivedConf.parse("x 1\nvrrp_instance VI_1 {\n  priority 100\n"));
        assertEquals(2, unclosed.line());
        assertEquals("line 2: '{' of vrrp_instance is never closed", unclosed.getMessage());
        assertEquals(1, assertThrows(KeepalivedSyntaxException.class, () -> KeepalivedConf.parse("{ }")).line());
        assertThrows(KeepalivedSyntaxException.class, () -> KeepalivedConf.parse("a {".repeat(100)));
    }

    @Provide
    Arbitrary<String> keepalivedLike() {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                Arbitraries.of("vrrp_instance", "VI_1", "vrrp_script", "global_defs", "virtual_ipaddress", "track_script",
                        "priority", "150", "interface", "eth0", "virtual_router_id", "51", "advert_int", "0.5", "script",
                        "authentication", "auth_type", "PASS", "auth_pass", "notify_master", "/x.sh", "192.0.2.1/24",
                        "2001:db8::1", "dev", "weight", "-20", "nopreempt", "vrrp_sync_group", "group", "include",
                        "unicast_peer", "garp_master_refresh", "{", "}", "\"", "#", "!", "\n", " ", "\t", "\r", "\\"),
                Arbitraries.strings().ofMaxLength(5));
        return pieces.list().ofMaxSize(60).map(list -> String.join(" ", list));
    }

    @Property(tries = 2000)
    void parsingNeverThrowsAnythingElse(@ForAll("keepalivedLike") String text) {
        checkParse(text);
    }

    @Property(tries = 1000)
    void parsingArbitraryTextNeverThrowsAnythingElse(@ForAll String text) {
        checkParse(text);
    }

    private static void checkParse(String text) {
        long lines = text.chars().filter(c -> c == '\n').count() + 1;
        List<Statement> conf;
        try {
            conf = KeepalivedConf.parse(text);
        } catch (KeepalivedSyntaxException e) {
            assertTrue(e.line() >= 1 && e.line() <= lines, () -> "line " + e.line() + " of " + lines);
            return;
        }
        KeepalivedImporter.Conversion conversion = KeepalivedImporter.convert(conf, "fuzz-host");
        try {
            ConfigLoader.parse(conversion.hocon(), "converted");
        } catch (ConfigException e) {
            assertTrue(e.problems().stream().noneMatch(p -> p.message().contains("syntax")
                    || p.message().contains("Expecting")), () -> "the importer wrote broken HOCON:\n" + conversion.hocon()
                    + "\n" + e.getMessage());
        }
    }
}
