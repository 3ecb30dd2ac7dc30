package org.omnileads.omlha.agent.config;

import com.typesafe.config.ConfigOrigin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects the problems of one file while it is read, so that all of them are reported at once. */
final class Problems {
    private final String defaultFile;
    private final List<ConfigException.Problem> problems = new ArrayList<>();

    /** {@code defaultFile} names the file when an origin does not (parsed strings, environment values). */
    Problems(String defaultFile) {
        this.defaultFile = defaultFile;
    }

    void add(ConfigOrigin origin, String key, String message) {
        problems.add(new ConfigException.Problem(fileOf(origin), origin == null ? -1 : origin.lineNumber(), key, message));
    }

    /** Typesafe's own messages start with the origin description ("agent.conf: 3: "); that part becomes file:line. */
    void add(com.typesafe.config.ConfigException e) {
        ConfigOrigin origin = e.origin();
        String message = String.valueOf(e.getMessage());
        if (origin != null && message.startsWith(origin.description() + ": ")) {
            message = message.substring(origin.description().length() + 2);
        }
        add(origin, "", message);
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    void throwIfAny() throws ConfigException {
        if (!problems.isEmpty()) {
            List<ConfigException.Problem> sorted = new ArrayList<>(problems);
            sorted.sort(Comparator.<ConfigException.Problem>comparingInt(p -> p.file().equals(defaultFile) ? 0 : 1)
                    .thenComparing(ConfigException.Problem::file)
                    .thenComparingInt(ConfigException.Problem::line));
            throw new ConfigException(sorted);
        }
    }

    boolean isMainFile(ConfigOrigin origin) {
        return fileOf(origin).equals(defaultFile);
    }

    String fileOf(ConfigOrigin origin) {
        if (origin == null) {
            return defaultFile;
        }
        if (origin.filename() != null) {
            return origin.filename();
        }
        if (origin.resource() != null) {
            return origin.resource();
        }
        return defaultFile;
    }
}
