package org.omnileads.omlha.agent.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.omnileads.omlha.agent.status.ControlClient;
import org.omnileads.omlha.agent.status.StatusJson;
import org.omnileads.omlha.agent.status.StatusTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Asks the running daemon for its state: exit 0 answered, 3 no daemon. */
@Command(name = "status", description = "Show the running agent's groups, VIPs, peers and probes.")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--json", description = "print JSON for scripts")
    boolean json;

    @Option(names = "--socket", description = "control socket (default: ${DEFAULT-VALUE})", defaultValue = "/run/omlha/agent.sock")
    Path socket;

    @Override
    public Integer call() {
        String reply;
        try {
            reply = ControlClient.statusJson(socket);
        } catch (IOException e) {
            System.err.println(NoAnswer.line("status", socket, e));
            return 3;
        }
        try {
            System.out.print(json ? reply : StatusTable.format(StatusJson.read(reply)));
            return 0;
        } catch (IOException e) {
            System.err.printf("omlha-agent status: unreadable answer from %s: %s%n", socket, e.getMessage());
            return 3;
        }
    }
}
