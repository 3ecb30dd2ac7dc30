package org.omnileads.omlha.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/** Whatever the text, parse() either returns a configuration or throws ConfigException with at least one problem. */
class ConfigFuzzTest {
    private static final List<String> TOKENS = List.of("omlha", "groups", "probes", "g", "p", "vrid", "vips", "track",
            "follow", "type", "tcp", "announce", "notify", "email", "{", "}", "[", "]", "=", ":", ",", "\n", " ", "\"",
            "${", "${?", "}", "include", "\"x\"", "1", "-1", "1.5", "1s", "10ms", "null", "true", "\"192.0.2.1/24\"",
            "\"::/0\"", "+=", ".", "#", "//", "\"\"\"", "\\", "99999999999999999999");

    private static final List<String> TRICKY_VALUES = List.of("0", "-1", "256", "1.5", "1e400", "99999999999999999999",
            "\"\"", "\" \"", "null", "true", "[]", "{}", "[1, \"a\", {}]", "{ a = 1 }", "\"1s\"", "1s", "-5ms", "0ms", "40.96s",
            "\"::\"", "\"::ffff:1.2.3.4/24\"", "\"192.0.2.1/24\"", "[\"2001:db8::1/64\"]", "\"h:0\"", "\"[::1]:99999\"",
            "${?NOPE}", "\"a@\"", "\"/\"", "\"\\u0000\"", "[{ probe = pg }]", "{ probe = asterisk, role = primary }");

    @Property
    void arbitraryText(@ForAll String text) {
        parseOrRefuse(text);
    }

    @Property
    void hoconLikeTokenSoup(@ForAll("tokenSoup") String text) {
        parseOrRefuse(text);
    }

    @Property(tries = 500)
    void contractExampleWithOneValueReplaced(@ForAll @IntRange(min = 0, max = 1000) int slot,
            @ForAll("trickyValues") String value) throws IOException {
        String example = exampleWithoutComments();
        List<int[]> values = valuePositions(example);
        int[] chosen = values.get(slot % values.size());
        Statistics.collect(parseOrRefuse(example.substring(0, chosen[0]) + value + example.substring(chosen[1])));
    }

    @Test
    void everyValueOfTheExampleIsASlot() throws IOException {
        String example = exampleWithoutComments();
        List<String> values = valuePositions(example).stream().map(p -> example.substring(p[0], p[1])).toList();
        assertEquals(36, values.size(), values.toString());
        assertEquals(List.of("\"pgsql-01\"", "\"omnileads.example\"", "\"eth0\""), values.subList(0, 3));
        assertEquals("${?OMLHA_PG_PASSWORD}", values.get(30));
    }

    @Provide
    Arbitrary<String> tokenSoup() {
        return Arbitraries.of(TOKENS).list().ofMaxSize(60).map(tokens -> String.join("", tokens));
    }

    @Provide
    Arbitrary<String> trickyValues() {
        return Arbitraries.oneOf(Arbitraries.of(TRICKY_VALUES), Arbitraries.strings().ofMaxLength(20).map(Values::quote));
    }

    private static String exampleWithoutComments() throws IOException {
        return Files.readString(TestConfigs.resource("contract-example.conf")).replaceAll("#[^\n]*", "");
    }

    /** Start and end of every value written after an '=': a string, a list, a substitution or a bare word. */
    private static List<int[]> valuePositions(String text) {
        Matcher m = Pattern.compile("=\\s*(\"[^\"]*\"|\\[[^\\]]*\\]|\\$\\{[^}]*\\}|[^,{}\\s]+)").matcher(text);
        List<int[]> positions = new ArrayList<>();
        while (m.find()) {
            positions.add(new int[] {m.start(1), m.end(1)});
        }
        return positions;
    }

    private static String parseOrRefuse(String text) {
        try {
            ConfigLoader.parse(text, "fuzz.conf", Map.of());
            return "valid";
        } catch (ConfigException e) {
            assertFalse(e.problems().isEmpty());
            for (ConfigException.Problem problem : e.problems()) {
                assertFalse(problem.message().isBlank(), e.getMessage());
            }
            return e.problems().get(0).key().isEmpty() ? "refused by HOCON" : "refused by validation";
        }
    }
}
