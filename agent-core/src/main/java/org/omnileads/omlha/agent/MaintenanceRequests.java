package org.omnileads.omlha.agent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.omnileads.omlha.agent.status.MaintenanceReply;
import org.omnileads.omlha.agent.status.StatusJson;
import org.omnileads.omlha.vip.VipAddress;
import org.omnileads.omlha.vrrp.fsm.Handover;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code omlha-agent maintenance on|off [--force] [GROUP...]}, as the daemon carries it out on a control-socket thread:
 * marks the groups on the VRRP loop (a MASTER resigns and hands over, see {@code VrrpRouter}), waits there until each
 * handover ended, saves the marks in the state directory and answers with each group's outcome. One request at a
 * time.
 */
final class MaintenanceRequests {
    private static final Logger log = LoggerFactory.getLogger(MaintenanceRequests.class);
    private static final long POLL_MILLIS = 5;

    private final VrrpLoop loop;
    private final MaintenanceStore store;

    MaintenanceRequests(VrrpLoop loop, MaintenanceStore store) {
        this.loop = loop;
        this.store = store;
    }

    /** A request line from the control socket; the answer as JSON. */
    synchronized String answer(String line) {
        return StatusJson.writeMaintenance(handle(line));
    }

    private MaintenanceReply handle(String line) {
        List<String> words = new ArrayList<>(List.of(line.trim().split("\\s+")));
        words.remove(0); // "maintenance"
        boolean force = words.remove("--force");
        if (words.isEmpty() || !(words.get(0).equals("on") || words.get(0).equals("off"))) {
            return MaintenanceReply.failed(2, "expected 'maintenance on|off [--force] [GROUP...]', got '" + line + "'");
        }
        boolean on = words.remove(0).equals("on");
        List<String> names = List.copyOf(words);
        List<NodeRuntime.MaintenanceStart> started;
        long since = System.nanoTime();
        try {
            started = loop.ask(now -> loop.node().maintenance(now, names, on, force)).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalArgumentException unknown) {
                return MaintenanceReply.failed(2, unknown.getMessage());
            }
            return MaintenanceReply.failed(1, "the VRRP loop failed the request: " + e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            return MaintenanceReply.failed(1, "the VRRP loop did not answer: " + e);
        }
        List<String> pending = started.stream().filter(NodeRuntime.MaintenanceStart::handingOver)
                .map(NodeRuntime.MaintenanceStart::group).toList();
        List<MaintenanceReply.GroupOutcome> outcomes = new ArrayList<>();
        try {
            List<MaintenanceReply.GroupOutcome> handed = awaitHandovers(pending, since);
            for (NodeRuntime.MaintenanceStart start : started) {
                if (!on) {
                    outcomes.add(new MaintenanceReply.GroupOutcome(start.group(), "back", null, 0, start.state(), start.master()));
                } else if (!start.handingOver()) {
                    outcomes.add(new MaintenanceReply.GroupOutcome(start.group(), "marked", null, 0, start.state(), start.master()));
                } else {
                    handed.stream().filter(o -> o.name().equals(start.group())).forEach(outcomes::add);
                }
            }
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            return MaintenanceReply.failed(1, "the VRRP loop did not answer while handing over: " + e);
        }
        String warning = save();
        int exit = outcomes.stream().anyMatch(o -> o.outcome().equals("kept")) ? 4 : 0;
        for (MaintenanceReply.GroupOutcome outcome : outcomes) {
            log.info("maintenance {}{}: group {}: {}{}", on ? "on" : "off", force ? " --force" : "", outcome.name(), outcome.outcome(),
                    outcome.takenBy() == null ? "" : " to " + outcome.takenBy() + " in " + outcome.millis() + " ms");
        }
        return new MaintenanceReply(exit, null, outcomes, warning);
    }

    /** Polls the loop until none of {@code groups} is handing over; bounded by their handover bound and some. */
    private List<MaintenanceReply.GroupOutcome> awaitHandovers(List<String> groups, long since)
            throws InterruptedException, ExecutionException, TimeoutException {
        long bound = loop.ask(now -> loop.node().handoverBoundNanos()).get(5, TimeUnit.SECONDS);
        long end = since + bound + TimeUnit.SECONDS.toNanos(1);
        while (true) {
            List<MaintenanceReply.GroupOutcome> outcomes = loop.ask(now -> outcomesOf(groups, since)).get(5, TimeUnit.SECONDS);
            if (outcomes != null || System.nanoTime() - end > 0) {
                return outcomes != null ? outcomes : List.of();
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** On the loop thread: each group's outcome, or null while one still hands over. */
    private List<MaintenanceReply.GroupOutcome> outcomesOf(List<String> groups, long since) {
        List<MaintenanceReply.GroupOutcome> outcomes = new ArrayList<>();
        long millis = (System.nanoTime() - since) / 1_000_000;
        for (GroupRuntime group : loop.node().groups()) {
            if (!groups.contains(group.name())) {
                continue;
            }
            if (group.handingOver()) {
                return null;
            }
            Handover handover = group.router().lastHandover();
            String outcome = switch (handover) {
                case TAKEN -> "handed-over";
                case KEPT_UNTAKEN -> "kept";
                default -> "released";
            };
            String takenBy = group.router().takenBy() == null ? null : VipAddress.format(group.router().takenBy());
            outcomes.add(new MaintenanceReply.GroupOutcome(group.name(), outcome, takenBy, millis, group.state().name(), takenBy));
        }
        return outcomes;
    }

    /** Saves what is marked now; a warning for the reply when the state directory cannot be written. */
    private String save() {
        try {
            Set<String> marked = loop.ask(now -> loop.node().groupsInMaintenance()).get(5, TimeUnit.SECONDS);
            store.write(marked);
            return null;
        } catch (IOException | InterruptedException | ExecutionException | TimeoutException e) {
            String warning = "the maintenance marks could not be saved in " + store.file() + " (" + e
                    + "): they hold until the agent restarts";
            log.warn(warning);
            return warning;
        }
    }
}
