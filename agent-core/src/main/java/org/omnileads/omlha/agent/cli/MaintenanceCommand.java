package org.omnileads.omlha.agent.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.omnileads.omlha.agent.status.ControlClient;
import org.omnileads.omlha.agent.status.MaintenanceReply;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Hands this node's MASTER groups to a backup without a gap and keeps them out of the election here ({@code on}), or
 * puts them back ({@code off}). Exit 0 done, 2 unknown group (nothing changed), 3 no daemon, 4 nobody took a group
 * (it stays here and keeps serving).
 */
@Command(name = "maintenance", description = {
        "on: hand every named (default: every) MASTER group of this node to a backup without a gap, then keep those groups "
                + "out of the election here until 'maintenance off'. The mark survives a restart.",
        "off: back into the election; a node with the higher priority takes its groups back, without a gap.",
        "Exit: 0 done, 2 unknown group, 3 no daemon, 4 no backup took a group within its bound (it stays here and keeps "
                + "serving; --force releases it anyway)."})
final class MaintenanceCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "on or off", paramLabel = "on|off")
    String mode;

    @Parameters(index = "1..*", arity = "0..*", description = "groups (default: every group)", paramLabel = "GROUP")
    List<String> groups = new ArrayList<>();

    @Option(names = "--force", description = "on: release a group even if no backup takes it")
    boolean force;

    @Option(names = "--socket", description = "control socket (default: ${DEFAULT-VALUE})", defaultValue = "/run/omlha/agent.sock")
    Path socket;

    @Override
    public Integer call() {
        if (!mode.equals("on") && !mode.equals("off")) {
            System.err.printf("omlha-agent maintenance: expected 'on' or 'off', got '%s'%n", mode);
            return 2;
        }
        if (force && mode.equals("off")) {
            System.err.println("omlha-agent maintenance: --force goes with 'on' only");
            return 2;
        }
        StringBuilder request = new StringBuilder("maintenance ").append(mode);
        if (force) {
            request.append(" --force");
        }
        for (String group : groups) {
            if (group.isBlank() || group.chars().anyMatch(Character::isWhitespace)) {
                System.err.printf("omlha-agent maintenance: no group '%s' (a group name has no spaces)%n", group);
                return 2;
            }
            request.append(' ').append(group);
        }
        MaintenanceReply reply;
        try {
            reply = ControlClient.maintenance(socket, request.toString());
        } catch (IOException e) {
            System.err.println(NoAnswer.line("maintenance", socket, e));
            return 3;
        }
        if (reply.error() != null) {
            System.err.println("omlha-agent maintenance: " + reply.error());
            return reply.exit();
        }
        for (MaintenanceReply.GroupOutcome group : reply.groups()) {
            System.out.println(group.name() + ": " + describe(group));
        }
        if (reply.warning() != null) {
            System.err.println("omlha-agent maintenance: warning: " + reply.warning());
        }
        return reply.exit();
    }

    private static String describe(MaintenanceReply.GroupOutcome group) {
        String following = group.master() == null ? "" : ", master " + group.master();
        return switch (group.outcome()) {
            case "handed-over" -> "handed over to " + group.takenBy() + " in " + group.millis() + " ms; in maintenance";
            case "kept" -> "NOT handed over: no backup took it within " + group.millis()
                    + " ms; it stays MASTER here and keeps serving (--force releases it anyway)";
            case "released" -> "released without a taker (--force): no node serves its VIPs; in maintenance";
            case "marked" -> "was " + group.state() + " here" + following + "; in maintenance";
            case "back" -> "back in the election (" + group.state() + following + ")";
            default -> group.outcome();
        };
    }
}
