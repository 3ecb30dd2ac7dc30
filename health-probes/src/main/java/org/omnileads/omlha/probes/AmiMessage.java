package org.omnileads.omlha.probes;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One Asterisk Manager Interface message: ordered {@code Key: Value} lines, each ended by CRLF, the message ended by
 * an empty line. Actions, responses and events share this shape; keys are matched case-insensitively, as Asterisk
 * does ({@code astman_get_header}).
 */
public record AmiMessage(List<Field> fields) {

    /** One {@code Key: Value} line. Neither part holds CR or LF; the key holds no colon. */
    public record Field(String key, String value) {
        public Field {
            if (key.isEmpty() || key.indexOf(':') >= 0 || hasLineBreak(key) || hasLineBreak(value)) {
                throw new IllegalArgumentException("bad AMI field \"" + key + "\": key must be non-empty without"
                        + " colon, and neither key nor value may contain CR or LF");
            }
        }
    }

    public AmiMessage {
        fields = List.copyOf(fields);
    }

    /** A message from alternating keys and values: {@code of("Action", "Ping", "ActionID", "7")}. */
    public static AmiMessage of(String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must pair up, got " + keysAndValues.length + " strings");
        }
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            fields.add(new Field(keysAndValues[i], keysAndValues[i + 1]));
        }
        return new AmiMessage(fields);
    }

    /** The value of the first field with this key, ignoring case. */
    public Optional<String> get(String key) {
        for (Field field : fields) {
            if (field.key().equalsIgnoreCase(key)) {
                return Optional.of(field.value());
            }
        }
        return Optional.empty();
    }

    /** The wire form, the terminating empty line included. */
    public String encode() {
        StringBuilder text = new StringBuilder();
        for (Field field : fields) {
            text.append(field.key()).append(": ").append(field.value()).append("\r\n");
        }
        return text.append("\r\n").toString();
    }

    /**
     * Parses the lines of one message, without its terminating empty line. Lines are split on CRLF; a value is
     * everything after the first colon, leading blanks removed.
     */
    public static AmiMessage parse(String block) {
        if (block.isEmpty()) {
            throw new AmiProtocolException("empty message");
        }
        List<Field> fields = new ArrayList<>();
        String[] lines = block.split("\r\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (hasLineBreak(line)) {
                throw new AmiProtocolException("bare CR or LF in line " + (i + 1) + ": " + quote(line));
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new AmiProtocolException("line " + (i + 1) + " has no colon: " + quote(line));
            }
            if (colon == 0) {
                throw new AmiProtocolException("line " + (i + 1) + " has no key: " + quote(line));
            }
            fields.add(new Field(line.substring(0, colon), line.substring(colon + 1).stripLeading()));
        }
        return new AmiMessage(fields);
    }

    private static boolean hasLineBreak(String s) {
        return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
    }

    static String quote(String s) {
        String shown = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return '"' + shown + '"';
    }
}
