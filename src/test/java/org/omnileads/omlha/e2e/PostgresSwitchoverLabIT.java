package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.labservices.LabPostgres;
import org.omnileads.omlha.labservices.LabPostgres.Role;

/**
 * The PostgreSQL lab's planned switchover on its own, without agents: n1 primary, n2 a standby cloned by repmgr,
 * repmgrd running on both (as on an OMniLeads cluster). {@code repmgr standby switchover} on n2 (ssh replaced by
 * the lab's stand-in, see {@link LabPostgres#switchoverFrom}) stops n1 cleanly, promotes n2 onto timeline 2 and
 * rejoins n1 as its standby: nothing committed is lost, both repmgrds run on unpaused, and n2's
 * event_notification_command heard the promotion and the switchover. The switchover's time is printed, not asserted.
 */
@Tag("lab")
class PostgresSwitchoverLabIT {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    @Test
    void repmgrSwitchesOverToTheStandbyAndTheOldPrimaryStreamsFromItOnTheNewTimeline() throws Exception {
        try (Cluster c = Cluster.create(2);
                LabPostgres n1 = new LabPostgres(c.lab, c.hosts.get(0), 1);
                LabPostgres n2 = new LabPostgres(c.lab, c.hosts.get(1), 2)) {
            // Each node's repmgr appends "<node id> <event> <success>" to events.txt in its own folder (written by postgres).
            n1.setEventNotificationCommand(eventCommand(n1));
            n2.setEventNotificationCommand(eventCommand(n2));
            n1.initPrimary();
            n2.cloneStandbyFrom(n1);
            n1.startRepmgrd();
            n2.startRepmgrd();
            assertEquals(Role.PRIMARY, n1.role(), () -> diagnostics(n1, n2));
            assertEquals(Role.STANDBY, n2.role(), () -> diagnostics(n1, n2));
            assertEquals(1, n1.timeline());
            Await.until(LIMIT, "n2 streams from n1", () -> n2.upstream().equals(Optional.of(n1.host().ipv4())), () -> diagnostics(n1, n2));
            insert(n1, 1);
            Await.until(LIMIT, "write 1 replicated to n2", () -> idsOn(n2).contains(1L), () -> diagnostics(n1, n2));

            Duration took = n2.switchoverFrom(n1);

            assertEquals(Role.PRIMARY, n2.role(), () -> diagnostics(n1, n2));
            assertEquals(2, n2.timeline(), "the promotion started timeline 2");
            assertEquals(Role.STANDBY, n1.role(), () -> diagnostics(n1, n2));
            assertEquals(Optional.of(n2.host().ipv4()), n1.upstream(), () -> diagnostics(n1, n2));
            assertEquals(2, n1.timeline(), "n1 follows timeline 2");
            assertEquals(Optional.of("n2"), n2.registeredPrimary());
            Await.until(LIMIT, "n1's copy of repmgr's metadata names n2 the primary",
                    () -> n1.registeredPrimary().equals(Optional.of("n2")), () -> diagnostics(n1, n2));
            insert(n2, 2);
            Await.until(LIMIT, "write 2 on n2 replicated to n1", () -> idsOn(n1).contains(2L), () -> diagnostics(n1, n2));
            assertEquals(List.of(1L, 2L), List.copyOf(n2.writtenIds()), "the write acknowledged by n1 before the switchover survived it");

            // repmgr paused both repmgrds for the switchover and must have let them go again.
            assertTrue(n1.repmgrdRunning() && n2.repmgrdRunning(), () -> diagnostics(n1, n2));
            Await.until(LIMIT, "repmgrd registered and unpaused on both nodes",
                    () -> repmgrdActive(n1) && repmgrdActive(n2), () -> diagnostics(n1, n2));

            // The switchover's events are n2's: its repmgr promoted and switched over. n1's repmgr ran "node rejoin
            // --no-wait" through the stand-in, and with --no-wait repmgr 5.3 notifies no node_rejoin event; what n1
            // reports (printed below) comes from its repmgrd, and depends on when it noticed the restart.
            Await.until(LIMIT, "n2's event_notification_command heard the promotion and the switchover",
                    () -> events(n2).containsAll(List.of("2 standby_promote 1", "2 standby_switchover 1")),
                    () -> "n1: " + events(n1) + "\nn2: " + events(n2) + "\n" + diagnostics(n1, n2));

            System.out.printf("PostgresSwitchoverLabIT: switchover n1 -> n2 in %.2f s (repmgr start to both nodes in their new roles)%n",
                    took.toNanos() / 1e9);
            System.out.print(standInTimeline(n2));
            System.out.println("PostgresSwitchoverLabIT: events n1 " + events(n1) + ", n2 " + events(n2));
            System.out.print(n2.clusterShow());
        }
    }

    private static String eventCommand(LabPostgres node) {
        Path events = node.repmgrConf().resolveSibling("events.txt");
        return "/bin/sh -c 'echo \"%n %e %s\" >> " + events + "'";
    }

    private static List<String> events(LabPostgres node) {
        try {
            Path file = node.repmgrConf().resolveSibling("events.txt");
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** repmgrd has registered its pid with the node's server (it re-registers after n1's restart) and is not paused. */
    private static boolean repmgrdActive(LabPostgres node) {
        try {
            return node.query(LabPostgres.REPMGR_USER, "SELECT repmgr.repmgrd_is_running() AND NOT repmgr.repmgrd_is_paused()").equals("t");
        } catch (IOException e) {
            return false;
        }
    }

    /** The stand-in's log, each line's time as seconds after its first line. */
    private static String standInTimeline(LabPostgres node) throws IOException {
        List<String> lines = Files.readAllLines(node.sshStandInLog());
        long first = Long.parseLong(lines.get(0).substring(0, lines.get(0).indexOf(' ')));
        return lines.stream().map(line -> {
            int space = line.indexOf(' ');
            return String.format("  ssh stand-in +%6.3f s %s", (Long.parseLong(line.substring(0, space)) - first) / 1e3, line.substring(space + 1));
        }).collect(Collectors.joining("\n", "", "\n"));
    }

    private static void insert(LabPostgres primary, long id) throws IOException {
        primary.query(LabPostgres.APP_DATABASE, "INSERT INTO " + LabPostgres.WRITES_TABLE + " VALUES (" + id + ", now())");
    }

    private static SortedSet<Long> idsOn(LabPostgres node) {
        try {
            return node.writtenIds();
        } catch (IOException e) {
            return new TreeSet<>();
        }
    }

    private static String diagnostics(LabPostgres... nodes) {
        StringBuilder out = new StringBuilder();
        for (LabPostgres node : nodes) {
            out.append(node.diagnostics());
        }
        return out.toString();
    }
}
