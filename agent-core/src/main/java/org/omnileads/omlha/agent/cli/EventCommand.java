package org.omnileads.omlha.agent.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.omnileads.omlha.agent.status.ControlClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Tells the running daemon that something changed now: repmgr's {@code event_notification_command} and Sentinel's
 * {@code client-reconfig-script}. The daemon looks at its databases again at once and watches them closely for a while.
 * Returns as soon as the daemon has queued it, and never waits long: repmgr runs its hook synchronously. Exit 0
 * delivered, 3 no daemon (one line on stderr).
 */
@Command(name = "event", description = {
        "Tell the running agent that something changed now (repmgr's event_notification_command, Sentinel's "
                + "client-reconfig-script): it looks at its databases at once. Returns at once.",
        "repmgr.conf: event_notification_command='/usr/bin/omlha-agent event %e'",
        "Exit: 0 delivered, 3 no daemon."})
final class EventCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", description = "what happened, e.g. repmgr's %e (unknown words are logged and ignored)",
            paramLabel = "WORD")
    List<String> words = new ArrayList<>();

    @Option(names = "--socket", description = "control socket (default: ${DEFAULT-VALUE})", defaultValue = "/run/omlha/agent.sock")
    Path socket;

    @Override
    public Integer call() {
        // One line of at most 4 KiB reaches the daemon; a newline inside a word would end it early.
        String line = String.join(" ", words).replaceAll("\\s+", " ").strip();
        if (line.length() > 3000) {
            line = line.substring(0, 3000);
        }
        try {
            ControlClient.event(socket, line);
            return 0;
        } catch (IOException e) {
            System.err.println(NoAnswer.line("event", socket, e) + "; the event is dropped");
            return 3;
        }
    }
}
