package org.omnileads.omlha.agent.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.List;

/**
 * Conversions of single HOCON values, strict where Typesafe is lenient: whole numbers are not truncated
 * ({@code 1.5} is no int) and durations need a unit ({@code advert-interval = 1} is refused, not read as 1ms).
 * Strings from environment overrides convert like HOCON literals ({@code PRIORITY=150} gives the number 150).
 */
final class Values {
    private static final int MAX_SHOWN = 60;

    private Values() {
    }

    /** Why a value cannot be converted; carries no stack trace, it always becomes a {@link ConfigException.Problem}. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    static String string(ConfigValue value) throws Invalid {
        return switch (value.valueType()) {
            case STRING -> (String) value.unwrapped();
            case NUMBER, BOOLEAN -> value.atKey("v").getString("v");
            default -> throw new Invalid("expected a string, got " + describe(value));
        };
    }

    static long wholeNumber(ConfigValue value) throws Invalid {
        Object raw = value.unwrapped();
        if (raw instanceof Integer || raw instanceof Long) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return d.longValue();
        }
        if (raw instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new Invalid("expected a whole number, got " + describe(value));
    }

    static boolean bool(ConfigValue value) throws Invalid {
        Object raw = value.unwrapped();
        if (raw instanceof Boolean b) {
            return b;
        }
        if (raw instanceof String s) {
            switch (s.trim()) {
                case "true", "yes", "on":
                    return true;
                case "false", "no", "off":
                    return false;
                default:
                    break;
            }
        }
        throw new Invalid("expected true or false, got " + describe(value));
    }

    static Duration duration(ConfigValue value) throws Invalid {
        String expected = "expected a duration like 1s or 10ms, got " + describe(value);
        if (value.valueType() == ConfigValueType.NUMBER) {
            throw new Invalid(expected + " (a unit is required)");
        }
        if (value.valueType() == ConfigValueType.STRING) {
            String text = ((String) value.unwrapped()).trim();
            if (!text.isEmpty() && Character.isLetter(text.charAt(text.length() - 1))) {
                try {
                    return value.atKey("d").getDuration("d");
                } catch (com.typesafe.config.ConfigException | ArithmeticException e) {
                    // reported below
                }
            }
        }
        throw new Invalid(expected);
    }

    /** A byte count: a whole number or a size with a unit ({@code 16MB}, {@code 1M}). */
    static long bytes(ConfigValue value) throws Invalid {
        if (value.valueType() == ConfigValueType.STRING) {
            String text = ((String) value.unwrapped()).trim();
            if (!text.isEmpty() && Character.isLetter(text.charAt(text.length() - 1))) {
                try {
                    return value.atKey("b").getBytes("b");
                } catch (com.typesafe.config.ConfigException | ArithmeticException e) {
                    throw new Invalid("expected a byte count like 16777216 or 16MB, got " + describe(value));
                }
            }
        }
        try {
            return wholeNumber(value);
        } catch (Invalid e) {
            throw new Invalid("expected a byte count like 16777216 or 16MB, got " + describe(value));
        }
    }

    static List<ConfigValue> list(ConfigValue value) throws Invalid {
        if (value instanceof ConfigList list) {
            return list;
        }
        throw new Invalid("expected a list, got " + describe(value));
    }

    static ConfigObject object(ConfigValue value) throws Invalid {
        if (value instanceof ConfigObject object) {
            return object;
        }
        throw new Invalid("expected an object, got " + describe(value));
    }

    /** How a value appears in a message: {@code "abc"}, {@code 1.5}, {@code an object}. */
    static String describe(ConfigValue value) {
        return switch (value.valueType()) {
            case OBJECT -> "an object";
            case LIST -> "a list";
            case NULL -> "null";
            case STRING -> quote((String) value.unwrapped());
            default -> value.render();
        };
    }

    static String quote(String text) {
        String shown = text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "..." : text;
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : shown.toCharArray()) {
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    /** {@code 1s}, {@code 10ms}, {@code 1.5s}; the unit operators write. */
    static String format(Duration duration) {
        long nanos;
        try {
            nanos = duration.toNanos();
        } catch (ArithmeticException e) {
            return duration.toString();
        }
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0) {
            long millis = nanos / 1_000_000L;
            return Math.abs(millis) >= 1000 ? (millis / 1000.0) + "s" : millis + "ms";
        }
        if (nanos % 1_000L == 0) {
            return nanos / 1_000L + "us";
        }
        return nanos + "ns";
    }
}
