package org.omnileads.omlha.agent.migrate;

import java.util.List;
import java.util.stream.Collectors;

/** Writing HOCON values: quoted strings, lists of them, durations in the units operators write. */
final class Hocon {

    private Hocon() {
    }

    static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    static String list(List<String> texts) {
        return texts.stream().map(Hocon::quote).collect(Collectors.joining(", ", "[", "]"));
    }

    /** {@code 5s} when whole seconds, else {@code 500ms}. */
    static String millis(long millis) {
        return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
    }
}
