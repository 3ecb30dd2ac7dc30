package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.agent.status.GroupStatus;
import org.omnileads.omlha.labservices.AddressWatch;
import org.omnileads.omlha.labservices.LabPostgres;
import org.omnileads.omlha.labservices.LabPostgres.Role;
import org.omnileads.omlha.labservices.LabPostgresWriter;

/**
 * Issue 4 end to end: two PostgreSQL 15 nodes under repmgr 5.3 (repmgrd promotes), an agent on each with a
 * read-write VIP (192.0.2.65) that follows the primary and a read-only VIP (192.0.2.66) that follows a healthy
 * standby. A client writes through the RW VIP every 10 ms throughout. The agents never promote anything.
 */
@Tag("lab")
class PostgresRolesIT {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final Duration PROMOTION_LIMIT = Duration.ofSeconds(30);
    private static final String RW = "192.0.2.65";
    private static final String RO = "192.0.2.66";

    private static String agentConfig(int priority, String self, String peer) {
        return "  probes { pg { type = postgresql, url = \"jdbc:postgresql://" + self + ":5432/postgres\", user = \"omlha\",\n"
                + "    peers = [\"jdbc:postgresql://" + peer + ":5432/postgres\"], interval = 1s, timeout = 800ms } }\n"
                + "  groups {\n"
                + "    pgsql-rw { vrid = 61, priority = " + priority + ", vips = [\"" + RW + "/24\"], advert-interval = 100ms,"
                + " follow = { probe = pg, role = primary } }\n"
                + "    pgsql-ro { vrid = 62, priority = " + priority + ", vips = [\"" + RO + "/24\"], advert-interval = 100ms,"
                + " follow = { probe = pg, role = standby } }\n"
                + "  }";
    }

    @Test
    void theVipsFollowTheRolesThroughFailoverStalePrimaryRejoinAndStandbyLoss() throws Exception {
        try (Cluster c = Cluster.create(2);
                LabPostgres db1 = new LabPostgres(c.lab, c.hosts.get(0), 1);
                LabPostgres db2 = new LabPostgres(c.lab, c.hosts.get(1), 2)) {
            db1.initPrimary();
            db2.cloneStandbyFrom(db1);
            db1.startRepmgrd();
            db2.startRepmgrd();
            java.nio.file.Path calls = c.lab.workDir().resolve("n1-notify.txt");
            java.nio.file.Path script = c.lab.workDir().resolve("n1-notify.sh");
            java.nio.file.Files.writeString(script, "#!/bin/sh\necho \"$1 $2 $3 $4\" >> " + calls + "\n");
            java.nio.file.Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            LabAgent n1 = c.agent(1, agentConfig(150, "192.0.2.11", "192.0.2.12") + "\n  notify.exec = \"" + script + "\""
                    + "\n  metrics.listen = \"192.0.2.11:9273\"");
            LabAgent n2 = c.agent(2, agentConfig(100, "192.0.2.12", "192.0.2.11"));

            // Start: RW on the primary, RO on the standby.
            Await.until(LIMIT, "RW on n1 (primary), RO on n2 (standby)",
                    () -> c.onlyHolderIs(c.hosts.get(0), RW) && c.onlyHolderIs(c.hosts.get(1), RO), () -> c.diagnostics() + db(db1, db2));
            assertEquals("primary", n1.group("pgsql-rw").orElseThrow().database().role());
            Await.until(LIMIT, "the notify hook heard n1 become MASTER of pgsql-rw",
                    () -> lines(calls).contains("GROUP pgsql-rw MASTER 150"), () -> String.join("\n", lines(calls)));

            InetSocketAddress rwVip = new InetSocketAddress(InetAddress.getByName(RW), LabPostgres.PORT);
            try (AddressWatch rw1 = AddressWatch.start(c.lab, c.hosts.get(0), RW);
                    AddressWatch rw2 = AddressWatch.start(c.lab, c.hosts.get(1), RW);
                    LabPostgresWriter writer = LabPostgresWriter.start(c.client.namespace(), rwVip, Duration.ofMillis(10), Duration.ofMinutes(4))) {
                Await.until(LIMIT, "writes through the RW VIP are acknowledged", () -> writer.acknowledgedIds().size() >= 50,
                        () -> c.diagnostics() + db(db1, db2));

                // The primary dies: repmgrd promotes n2; RW moves to it; RO falls back to it.
                long killed = System.nanoTime();
                db1.kill();
                db1.stopRepmgrd();
                Await.until(PROMOTION_LIMIT, "repmgrd promotes n2", () -> role(db2) == Role.PRIMARY, () -> c.diagnostics() + db(db1, db2));
                long promoted = System.nanoTime();
                Await.until(LIMIT, "RW and RO both on n2",
                        () -> c.onlyHolderIs(c.hosts.get(1), RW) && c.onlyHolderIs(c.hosts.get(1), RO), () -> c.diagnostics() + db(db1, db2));
                Await.until(LIMIT, "writes resume through the RW VIP", () -> writer.firstAcknowledgedSentAfter(promoted).isPresent(),
                        () -> c.diagnostics() + db(db1, db2));
                long resumed = writer.firstAcknowledgedSentAfter(promoted).orElseThrow().endedNanos();
                System.out.printf("PostgresRolesIT: promotion %.2f s after the primary's crash; writes through the RW VIP resumed "
                        + "%.0f ms after the promotion; longest write gap %s%n", (promoted - killed) / 1e9, (resumed - promoted) / 1e6,
                        writer.longestGap(killed).map(Object::toString).orElse("-"));
                List<Long> afterPromotion = writer.acknowledgedIdsSentBetween(promoted, System.nanoTime());
                assertTrue(ids(db2).containsAll(afterPromotion), "every write acknowledged after the promotion is on the new primary");

                // The old primary comes back as a primary on the old timeline: it gets neither VIP.
                long restarted = System.nanoTime();
                db1.start();
                assertEquals(Role.PRIMARY, role(db1));
                assertEquals(1, db1.timeline());
                Await.until(LIMIT, "n1 reports itself a stale primary and holds neither VIP",
                        () -> stale(n1, "pgsql-rw") && stale(n1, "pgsql-ro") && !c.holders(RW).contains(c.hosts.get(0)) && !c.holders(RO).contains(c.hosts.get(0)),
                        () -> c.diagnostics() + db(db1, db2));
                Await.until(LIMIT, "the notify hook heard of the stale primary",
                        () -> lines(calls).contains("GROUP pgsql-rw STALE_PRIMARY 150"), () -> String.join("\n", lines(calls)));
                assertTrue(n1.logText().contains("STALE PRIMARY"), "logged as an error too");
                String metrics = c.scrapeMetrics("192.0.2.11");
                assertTrue(metrics.contains("omlha_postgresql_stale_primary{group=\"pgsql-rw\"} 1.0"), metrics);
                Await.holds(Duration.ofSeconds(3), "RW and RO stay on n2, the true primary",
                        () -> c.onlyHolderIs(c.hosts.get(1), RW) && c.onlyHolderIs(c.hosts.get(1), RO), () -> c.diagnostics() + db(db1, db2));
                List<Long> whileStale = writer.acknowledgedIdsSentBetween(restarted, System.nanoTime());
                assertTrue(!whileStale.isEmpty() && ids(db2).containsAll(whileStale), "writes went on to n2");
                SortedSet<Long> onStale = ids(db1);
                assertTrue(whileStale.stream().noneMatch(onStale::contains), "no write through the RW VIP landed on the stale primary");
                assertEquals(0.0, AddressWatch.overlapMillis(rw1, rw2, killed, System.nanoTime()),
                        "RW never on two nodes, through the failover and the stale primary's return: " + rw1.periods() + " " + rw2.periods());
            }

            // The old primary is rebuilt as a standby: RO moves to it.
            Await.until(LIMIT, "repmgr names n2 the primary", () -> registered(db2).equals(Optional.of("n2")), () -> db(db1, db2));
            db1.stop();
            db1.rejoin(db2);
            Await.until(LIMIT, "RO on n1 (standby again), RW on n2",
                    () -> c.onlyHolderIs(c.hosts.get(0), RO) && c.onlyHolderIs(c.hosts.get(1), RW), () -> c.diagnostics() + db(db1, db2));

            // The standby dies: RO falls back to the primary; it comes back: RO returns.
            db1.kill();
            Await.until(LIMIT, "RO falls back to n2 (the primary)", () -> c.onlyHolderIs(c.hosts.get(1), RO), () -> c.diagnostics() + db(db1, db2));
            db1.start();
            Await.until(LIMIT, "RO back on n1", () -> c.onlyHolderIs(c.hosts.get(0), RO) && c.onlyHolderIs(c.hosts.get(1), RW),
                    () -> c.diagnostics() + db(db1, db2));
        }
    }

    /**
     * Issue 12: a planned switchover ({@code repmgr standby switchover}, repmgrd on both nodes) moves RW to the promoted
     * standby without RW ever being on two nodes, and every write acknowledged through RW is on the new primary; then
     * {@code maintenance on pgsql-rw} on the new primary finds nobody to take RW (the other database is a standby): exit
     * 4, RW stays. The write gap is printed, not asserted. repmgr's events reach the agents through
     * {@code omlha-agent event} (event_notification_command).
     */
    @Test
    void aSwitchoverMovesReadWriteWithoutHoldingItOnTwoNodesAndLosesNoWrite() throws Exception {
        try (Cluster c = Cluster.create(2);
                LabPostgres db1 = new LabPostgres(c.lab, c.hosts.get(0), 1);
                LabPostgres db2 = new LabPostgres(c.lab, c.hosts.get(1), 2)) {
            LabAgent n1 = c.agent(1, agentConfig(150, "192.0.2.11", "192.0.2.12"));
            LabAgent n2 = c.agent(2, agentConfig(100, "192.0.2.12", "192.0.2.11"));
            db1.setEventNotificationCommand(eventCommand(n1));
            db2.setEventNotificationCommand(eventCommand(n2));
            db1.initPrimary();
            db2.cloneStandbyFrom(db1);
            db1.startRepmgrd();
            db2.startRepmgrd();
            Await.until(LIMIT, "RW on n1 (primary), RO on n2 (standby)",
                    () -> c.onlyHolderIs(c.hosts.get(0), RW) && c.onlyHolderIs(c.hosts.get(1), RO), () -> c.diagnostics() + db(db1, db2));

            InetSocketAddress rwVip = new InetSocketAddress(InetAddress.getByName(RW), LabPostgres.PORT);
            try (AddressWatch rw1 = AddressWatch.start(c.lab, c.hosts.get(0), RW);
                    AddressWatch rw2 = AddressWatch.start(c.lab, c.hosts.get(1), RW);
                    LabPostgresWriter writer = LabPostgresWriter.start(c.client.namespace(), rwVip, Duration.ofMillis(10), Duration.ofMinutes(3))) {
                Await.until(LIMIT, "writes through the RW VIP are acknowledged", () -> writer.acknowledgedIds().size() >= 50,
                        () -> c.diagnostics() + db(db1, db2));
                long before = System.nanoTime();
                Duration took;
                try {
                    took = db2.switchoverFrom(db1);
                } catch (IOException repmgrFailed) {
                    // repmgr's own switchover did not complete (once in five full runs on this 2-core VM: its
                    // 'node rejoin' could not start n1's server). What the agent does during a switchover cannot be
                    // judged then; the test says so and is skipped rather than failed.
                    org.junit.jupiter.api.Assumptions.abort("repmgr standby switchover did not complete in the lab: "
                            + repmgrFailed.getMessage().lines().filter(l -> l.startsWith("ERROR") || l.startsWith("WARNING")).toList());
                    return;
                }
                Await.until(LIMIT, "RW on n2 (the new primary), RO on n1 (the new standby)",
                        () -> c.onlyHolderIs(c.hosts.get(1), RW) && c.onlyHolderIs(c.hosts.get(0), RO), () -> c.diagnostics() + db(db1, db2));
                Await.until(LIMIT, "writes resume through the RW VIP", () -> writer.lastAcknowledged().filter(a -> a.sentNanos() > before).isPresent(),
                        () -> c.diagnostics() + db(db1, db2));
                long after = System.nanoTime();

                assertEquals(0.0, AddressWatch.overlapMillis(rw1, rw2, before, after), "RW was never on two nodes: " + rw1.periods() + " " + rw2.periods());
                List<Long> acknowledged = writer.acknowledgedIds();
                SortedSet<Long> onNewPrimary = ids(db2);
                assertTrue(onNewPrimary.containsAll(acknowledged), "every write acknowledged through RW is on the new primary");
                System.out.printf("PostgresRolesIT: switchover took %d ms (repmgr); longest write gap through RW %s%n", took.toMillis(),
                        writer.longestGap(before).map(Object::toString).orElse("-"));
                assertTrue(n2.logText().contains("event standby_promote"), "repmgr's event reached n2's agent: " + n2.logText());

                // Nobody can take RW from a live primary: maintenance on says so and RW stays.
                LabAgent.CommandResult maintenance = n2.maintenance("on", "pgsql-rw");
                assertEquals(4, maintenance.exit(), maintenance.out() + maintenance.err());
                assertTrue(c.onlyHolderIs(c.hosts.get(1), RW), "RW still on n2 only");
                assertEquals(0.0, AddressWatch.overlapMillis(rw1, rw2, before, System.nanoTime()), "RW never on two nodes");
            }
        }
    }

    /**
     * repmgr's hook, as the README wires it. repmgr runs it as postgres, which reaches the control socket (rw-rw----)
     * through its group: on a node the package adds postgres to group omlha; here the lab's socket is given to group
     * postgres, and its folders can be traversed.
     */
    private static String eventCommand(LabAgent agent) throws IOException, InterruptedException {
        java.nio.file.Path socket = agent.socket();
        Await.until(LIMIT, "the agent's control socket", () -> java.nio.file.Files.exists(socket), agent::logText);
        Process chgrp = new ProcessBuilder("chgrp", "postgres", socket.toString()).inheritIO().start();
        assertEquals(0, chgrp.waitFor());
        for (java.nio.file.Path dir = socket.getParent(); dir != null && !dir.equals(java.nio.file.Path.of("/tmp")); dir = dir.getParent()) {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions = java.nio.file.Files.getPosixFilePermissions(dir);
            permissions.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
            java.nio.file.Files.setPosixFilePermissions(dir, permissions);
        }
        return String.join(" ", Cluster.launcher()) + " event %e --socket " + socket;
    }

    private static List<String> lines(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.exists(file) ? java.nio.file.Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean stale(LabAgent agent, String group) {
        return agent.group(group).map(g -> {
            GroupStatus.DatabaseStatus database = g.database();
            return g.state().equals("FAULT") && database != null && database.stalePrimary();
        }).orElse(false);
    }

    private static Role role(LabPostgres db) {
        return db.role();
    }

    private static Optional<String> registered(LabPostgres db) {
        return db.registeredPrimary();
    }

    private static SortedSet<Long> ids(LabPostgres db) {
        try {
            return db.writtenIds();
        } catch (IOException e) {
            return new TreeSet<>();
        }
    }

    private static String db(LabPostgres... nodes) {
        StringBuilder out = new StringBuilder();
        for (LabPostgres node : nodes) {
            out.append(node.diagnostics());
        }
        return out.toString();
    }
}
