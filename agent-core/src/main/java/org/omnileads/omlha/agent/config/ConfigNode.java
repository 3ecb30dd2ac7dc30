package org.omnileads.omlha.agent.config;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One HOCON object being validated. Typed reads of its keys return empty when the key is absent or its value is
 * unusable; in the second case the problem is already reported with the key's full path and line, so callers
 * only choose a default and carry on (every problem of the file is wanted, not just the first).
 */
final class ConfigNode {
    private final ConfigObject object;
    private final String path;
    private final String name;
    private final Problems problems;

    private ConfigNode(ConfigObject object, String path, String name, Problems problems) {
        this.object = object;
        this.path = path;
        this.name = name;
        this.problems = problems;
    }

    static ConfigNode root(ConfigObject object, Problems problems) {
        return new ConfigNode(object, "", "", problems);
    }

    /** The last element of this node's path: a group or probe name. */
    String name() {
        return name;
    }

    String path() {
        return path;
    }

    /** The full path of one of this node's keys, quoted where HOCON needs it. */
    String pathOf(String key) {
        String quoted = ConfigUtil.joinPath(key);
        return path.isEmpty() ? quoted : path + "." + quoted;
    }

    boolean has(String key) {
        return object.containsKey(key);
    }

    boolean isEmpty() {
        return object.isEmpty();
    }

    /** Reports a problem with the object as a whole, at its first line. */
    void problem(String message) {
        problems.add(object.origin(), path, message);
    }

    /** Reports a problem with a key, at the key's line (the object's when the key is absent). */
    void problem(String key, String message) {
        problems.add(originOf(object.get(key)), pathOf(key), message);
    }

    /** Reports a problem with a value inside this object that has its own path, like a list element. */
    void problem(ConfigValue value, String valuePath, String message) {
        problems.add(originOf(value), valuePath, message);
    }

    void requireKey(String key) {
        if (!has(key)) {
            problem(key, "required");
        }
    }

    /** Reports every key not in {@code allowed}. */
    void allowOnly(Collection<String> allowed) {
        for (String key : sortedKeys()) {
            if (!allowed.contains(key)) {
                problem(key, "unknown key (expected one of: " + String.join(", ", allowed) + ")");
            }
        }
    }

    Optional<String> string(String key) {
        return convert(key, Values::string);
    }

    /** A string that must not be empty (or only blanks). */
    Optional<String> text(String key) {
        Optional<String> value = string(key);
        if (value.isPresent() && value.get().isBlank()) {
            problem(key, "must not be empty");
            return Optional.empty();
        }
        return value;
    }

    Optional<Long> number(String key, long min, long max) {
        Optional<Long> value = convert(key, Values::wholeNumber);
        if (value.isPresent() && (value.get() < min || value.get() > max)) {
            problem(key, "must be " + min + ".." + max + ", got " + value.get());
            return Optional.empty();
        }
        return value;
    }

    Optional<Integer> integer(String key, int min, int max) {
        return number(key, min, max).map(Long::intValue);
    }

    Optional<Boolean> bool(String key) {
        return convert(key, Values::bool);
    }

    Optional<Duration> duration(String key) {
        return convert(key, Values::duration);
    }

    /** A duration in {@code min..max}, both inclusive. */
    Optional<Duration> duration(String key, Duration min, Duration max) {
        Optional<Duration> value = duration(key);
        if (value.isPresent() && (value.get().compareTo(min) < 0 || value.get().compareTo(max) > 0)) {
            problem(key, "must be " + Values.format(min) + ".." + Values.format(max) + ", got " + Values.format(value.get()));
            return Optional.empty();
        }
        return value;
    }

    Optional<Long> bytes(String key) {
        return convert(key, Values::bytes);
    }

    Optional<ConfigNode> object(String key) {
        return convert(key, Values::object).map(child -> new ConfigNode(child, pathOf(key), key, problems));
    }

    /** The elements of a list, each with its path ({@code omlha.groups.g.vips[0]}) for element problems. */
    Optional<List<Element>> list(String key) {
        Optional<List<ConfigValue>> values = convert(key, Values::list);
        if (values.isEmpty()) {
            return Optional.empty();
        }
        List<Element> elements = new ArrayList<>();
        for (int i = 0; i < values.get().size(); i++) {
            elements.add(new Element(values.get().get(i), pathOf(key) + "[" + i + "]"));
        }
        return Optional.of(elements);
    }

    /** A list of strings; elements of another type are reported and left out. */
    Optional<List<String>> strings(String key) {
        return list(key).map(elements -> {
            List<String> strings = new ArrayList<>();
            for (Element element : elements) {
                element.string().ifPresent(strings::add);
            }
            return strings;
        });
    }

    /** The keys of this object, in file order. */
    List<String> keys() {
        return sortedKeys();
    }

    /** The values of a map-like object (groups, probes) as nodes, in file order; values that are no object are reported. */
    List<ConfigNode> children() {
        List<ConfigNode> children = new ArrayList<>();
        for (String key : sortedKeys()) {
            try {
                children.add(new ConfigNode(Values.object(object.get(key)), pathOf(key), key, problems));
            } catch (Values.Invalid e) {
                problem(key, e.getMessage());
            }
        }
        return children;
    }

    /** One element of a list, with its own path. */
    final class Element {
        private final ConfigValue value;
        private final String path;

        private Element(ConfigValue value, String path) {
            this.value = value;
            this.path = path;
        }

        String path() {
            return path;
        }

        void problem(String message) {
            ConfigNode.this.problem(value, path, message);
        }

        Optional<String> string() {
            try {
                return Optional.of(Values.string(value));
            } catch (Values.Invalid e) {
                problem(e.getMessage());
                return Optional.empty();
            }
        }

        Optional<ConfigNode> object() {
            try {
                return Optional.of(new ConfigNode(Values.object(value), path, path, problems));
            } catch (Values.Invalid e) {
                problem(e.getMessage());
                return Optional.empty();
            }
        }
    }

    @FunctionalInterface
    private interface Conversion<T> {
        T apply(ConfigValue value) throws Values.Invalid;
    }

    private <T> Optional<T> convert(String key, Conversion<T> conversion) {
        ConfigValue value = object.get(key);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(conversion.apply(value));
        } catch (Values.Invalid e) {
            problem(key, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * HOCON objects are hash maps: file order comes back from the origins. Keys of the main file come first in
     * line order, then those from included files, by file name and line.
     */
    private List<String> sortedKeys() {
        Comparator<Map.Entry<String, ConfigValue>> order = Comparator
                .<Map.Entry<String, ConfigValue>>comparingInt(e -> problems.isMainFile(e.getValue().origin()) ? 0 : 1)
                .thenComparing(e -> problems.fileOf(e.getValue().origin()))
                .thenComparingInt(e -> e.getValue().origin().lineNumber())
                .thenComparing(Map.Entry::getKey);
        List<Map.Entry<String, ConfigValue>> entries = new ArrayList<>(object.entrySet());
        entries.sort(order);
        return entries.stream().map(Map.Entry::getKey).toList();
    }

    /** Values substituted from the environment have no line: use the line of the object they sit in. */
    private ConfigOrigin originOf(ConfigValue value) {
        if (value == null || value.origin().lineNumber() < 0) {
            return object.origin();
        }
        return value.origin();
    }
}
