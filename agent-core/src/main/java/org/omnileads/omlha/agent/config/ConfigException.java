package org.omnileads.omlha.agent.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Everything wrong with one configuration file. The message lists every problem, one per line, each as
 * {@code <file>:<line>: <key>: <what is wrong>}, for example
 * {@code agent.conf:7: omlha.groups.asterisk.vrid: must be 1..255, got 300}.
 */
public final class ConfigException extends Exception {

    /**
     * One problem. {@code line} is -1 when no line is known; {@code key} is the full key path
     * ({@code omlha.groups.asterisk.vrid}), or "" when the problem is not about one key (a syntax error).
     */
    public record Problem(String file, int line, String key, String message) {
        @Override
        public String toString() {
            StringBuilder text = new StringBuilder(file);
            if (line > 0) {
                text.append(':').append(line);
            }
            text.append(": ");
            if (!key.isEmpty()) {
                text.append(key).append(": ");
            }
            return text.append(message).toString();
        }
    }

    private final List<Problem> problems;

    public ConfigException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** A problem with the file as a whole: {@code agent.conf: no such file}. */
    public ConfigException(String file, String message) {
        this(List.of(new Problem(file, -1, "", message)));
    }

    /** The problems in file order. */
    public List<Problem> problems() {
        return problems;
    }
}
