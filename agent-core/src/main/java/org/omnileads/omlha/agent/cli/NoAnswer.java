package org.omnileads.omlha.agent.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The one line a client command ({@code status}, {@code maintenance}, {@code event}) prints when the daemon's control
 * socket does not answer, saying which of the usual causes it is: a user outside group omlha (the agent runs, the
 * socket refuses), no agent running, or anything else with the system's own words.
 */
final class NoAnswer {
    private NoAnswer() {
    }

    static String line(String command, Path socket, IOException e, String user) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String lower = why.toLowerCase(Locale.ROOT);
        if (lower.contains("permission denied") || e instanceof java.nio.file.AccessDeniedException) {
            return "omlha-agent " + command + ": permission denied on " + socket + ": the control socket is for root and group"
                    + " omlha; add " + user + " to it (usermod -aG omlha " + user + ") and log in again";
        }
        if (lower.contains("no such file") || e instanceof java.nio.file.NoSuchFileException) {
            return "omlha-agent " + command + ": no agent answers on " + socket + " (no socket). Is it running? systemctl status omlha-agent";
        }
        return "omlha-agent " + command + ": no agent answers on " + socket + " (" + why + "). Is it running? systemctl status omlha-agent";
    }

    static String line(String command, Path socket, IOException e) {
        return line(command, socket, e, System.getProperty("user.name", "this user"));
    }
}
