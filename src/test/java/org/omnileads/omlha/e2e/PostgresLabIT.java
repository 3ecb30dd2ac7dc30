package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import org.omnileads.omlha.labservices.LabPostgresWriter;

/**
 * The PostgreSQL lab of issue 4 on its own, without agents: n1 primary, n2 a standby cloned by repmgr, repmgrd on
 * both. n1's server is SIGKILLed and repmgrd promotes n2 (timeline 2). n1 started again without a rejoin is a
 * stale primary on timeline 1 that acknowledges writes n2 never sees; rejoined with pg_rewind it is a standby of
 * n2 and those writes are gone. Promotion times are printed, not asserted.
 */
@Tag("lab")
class PostgresLabIT {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final Duration PROMOTION_LIMIT = Duration.ofSeconds(30);
    private static final Duration WRITE_PERIOD = Duration.ofMillis(10);

    @Test
    void repmgrdPromotesTheStandbyAndTheOldPrimaryComesBackStaleUntilItIsRejoinedWithARewind() throws Exception {
        try (Cluster c = Cluster.create(2);
                LabPostgres n1 = new LabPostgres(c.lab, c.hosts.get(0), 1);
                LabPostgres n2 = new LabPostgres(c.lab, c.hosts.get(1), 2)) {
            primaryAndStandby(n1, n2);
            InetSocketAddress n1Address = new InetSocketAddress(InetAddress.getByName(n1.host().ipv4()), LabPostgres.PORT);
            List<Long> acknowledgedByStaleN1;
            try (LabPostgresWriter writer = LabPostgresWriter.start(c.client.namespace(), n1Address, WRITE_PERIOD, Duration.ofMinutes(2))) {
                Await.until(LIMIT, "n1 acknowledges 100 of the writer's inserts", () -> writer.acknowledgedIds().size() >= 100,
                        () -> diagnostics(n1, n2) + writerTail(writer));
                long replicated = writer.lastAcknowledged().orElseThrow().id();
                Await.until(LIMIT, "write #" + replicated + " replicated to n2", () -> idsOn(n2).contains(replicated), () -> diagnostics(n1, n2));

                long killed = System.nanoTime();
                crash(n1);
                awaitPromotion(n2, killed, n1, n2);
                SortedSet<Long> onN2 = n2.writtenIds();
                List<Long> lost = writer.acknowledgedIdsSentBetween(0, killed).stream().filter(id -> !onN2.contains(id)).toList();
                assertTrue(lost.stream().allMatch(id -> id > replicated), "writes n2 had before the kill are missing on it: " + lost);
                System.out.printf("PostgresLabIT: %d writes acknowledged by n1, %d of them lost with it (asynchronous replication): %s%n",
                        writer.acknowledgedIdsSentBetween(0, killed).size(), lost.size(), lost);

                long restarted = System.nanoTime();
                n1.start();
                assertEquals(Role.PRIMARY, n1.role(), () -> diagnostics(n1, n2));
                assertEquals(1, n1.timeline(), "the stale primary stays on timeline 1");
                assertEquals(Role.PRIMARY, n2.role(), () -> diagnostics(n1, n2));
                Await.until(LIMIT, "the stale n1 acknowledges writes again", () -> writer.firstAcknowledgedSentAfter(restarted).isPresent(),
                        () -> diagnostics(n1, n2) + writerTail(writer));
                writer.longestGap(killed).ifPresent(gap -> System.out.println("PostgresLabIT: writer to n1's address, kill to restart: " + gap));
                acknowledgedByStaleN1 = writer.acknowledgedIdsSentBetween(restarted, System.nanoTime());
            }
            assertTrue(n1.writtenIds().containsAll(acknowledgedByStaleN1), "the stale primary holds the writes it acknowledged");
            SortedSet<Long> onN2 = n2.writtenIds();
            assertTrue(acknowledgedByStaleN1.stream().noneMatch(onN2::contains), "n2 never saw the stale primary's writes");

            n1.stop();
            long rejoining = System.nanoTime();
            n1.rejoin(n2);
            Await.until(LIMIT, "n1 a standby streaming from n2",
                    () -> n1.role() == Role.STANDBY && n1.upstream().equals(Optional.of(n2.host().ipv4())), () -> diagnostics(n1, n2));
            System.out.printf("PostgresLabIT: n1 rejoined as a standby of n2 (pg_rewind) in %.1f s%n", (System.nanoTime() - rejoining) / 1e9);
            assertEquals(2, n1.timeline(), () -> diagnostics(n1, n2));
            assertEquals(Role.PRIMARY, n2.role());
            n2.query(LabPostgres.APP_DATABASE, "INSERT INTO " + LabPostgres.WRITES_TABLE + " VALUES (-1, now())");
            Await.until(LIMIT, "a write on n2 replicated to n1", () -> idsOn(n1).contains(-1L), () -> diagnostics(n1, n2));
            SortedSet<Long> onN1 = n1.writtenIds();
            assertTrue(acknowledgedByStaleN1.stream().noneMatch(onN1::contains), "the rewind discarded the stale primary's writes");
            System.out.printf("PostgresLabIT: the rewind discarded the %d writes the stale primary had acknowledged%n", acknowledgedByStaleN1.size());
            System.out.print(n2.clusterShow());
        }
    }

    @Test
    void aFailedPrimaryClonedAgainFromThePromotedStandbyStreamsFromIt() throws Exception {
        try (Cluster c = Cluster.create(2);
                LabPostgres n1 = new LabPostgres(c.lab, c.hosts.get(0), 1);
                LabPostgres n2 = new LabPostgres(c.lab, c.hosts.get(1), 2)) {
            primaryAndStandby(n1, n2);
            n1.query(LabPostgres.APP_DATABASE, "INSERT INTO " + LabPostgres.WRITES_TABLE + " VALUES (1, now())");
            Await.until(LIMIT, "write 1 replicated to n2", () -> idsOn(n2).contains(1L), () -> diagnostics(n1, n2));

            long killed = System.nanoTime();
            crash(n1);
            awaitPromotion(n2, killed, n1, n2);
            n2.query(LabPostgres.APP_DATABASE, "INSERT INTO " + LabPostgres.WRITES_TABLE + " VALUES (2, now())");

            n1.recloneFrom(n2);
            Await.until(LIMIT, "n1 a standby streaming from n2",
                    () -> n1.role() == Role.STANDBY && n1.upstream().equals(Optional.of(n2.host().ipv4())), () -> diagnostics(n1, n2));
            assertEquals(2, n1.timeline());
            assertEquals(Optional.of("n2"), n2.registeredPrimary());
            Await.until(LIMIT, "both writes on n1", () -> idsOn(n1).containsAll(List.of(1L, 2L)), () -> diagnostics(n1, n2));
        }
    }

    /** n1 primary, n2 cloned from it, repmgrd on both; asserts the roles, the timelines and the streaming. */
    private static void primaryAndStandby(LabPostgres n1, LabPostgres n2) throws IOException {
        long setUp = System.nanoTime();
        n1.initPrimary();
        n2.cloneStandbyFrom(n1);
        n1.startRepmgrd();
        n2.startRepmgrd();
        assertEquals(Role.PRIMARY, n1.role(), () -> diagnostics(n1, n2));
        assertEquals(Role.STANDBY, n2.role(), () -> diagnostics(n1, n2));
        assertEquals(1, n1.timeline());
        assertEquals(1, n2.timeline());
        assertEquals(Optional.of("n1"), n2.registeredPrimary());
        Await.until(LIMIT, "n2 streams from n1", () -> n2.upstream().equals(Optional.of(n1.host().ipv4())), () -> diagnostics(n1, n2));
        System.out.printf("PostgresLabIT: primary, standby and both repmgrd ready in %.1f s%n", (System.nanoTime() - setUp) / 1e9);
    }

    /** The primary's server SIGKILLed, its repmgrd stopped: the node's database is gone, the host stays up. */
    private static void crash(LabPostgres primary) throws IOException {
        primary.kill();
        primary.stopRepmgrd();
        assertFalse(primary.isRunning());
        assertEquals(Role.DOWN, primary.role());
    }

    /** Waits until repmgrd has promoted {@code standby} (out of recovery, then in repmgr's metadata); prints both times. */
    private static void awaitPromotion(LabPostgres standby, long killedNanos, LabPostgres... all) throws IOException {
        Await.until(PROMOTION_LIMIT, "repmgrd promotes " + standby.name(), () -> standby.role() == Role.PRIMARY, () -> diagnostics(all));
        double outOfRecovery = (System.nanoTime() - killedNanos) / 1e9;
        Await.until(LIMIT, "repmgr's metadata names " + standby.name() + " the primary",
                () -> standby.registeredPrimary().equals(Optional.of(standby.name())), () -> diagnostics(all));
        double registered = (System.nanoTime() - killedNanos) / 1e9;
        assertEquals(2, standby.timeline(), () -> diagnostics(all));
        System.out.printf("PostgresLabIT: %s promoted by repmgrd %.2f s after the primary's postgres was SIGKILLed "
                + "(out of recovery; repmgr metadata updated at %.2f s)%n", standby.name(), outOfRecovery, registered);
    }

    private static SortedSet<Long> idsOn(LabPostgres node) {
        try {
            return node.writtenIds();
        } catch (IOException e) {
            return new TreeSet<>();
        }
    }

    private static String writerTail(LabPostgresWriter writer) {
        List<LabPostgresWriter.Attempt> attempts = writer.attempts();
        return "---- writer: " + attempts.size() + " attempts, the last ones: "
                + attempts.stream().skip(Math.max(0, attempts.size() - 10)).map(Object::toString).collect(Collectors.joining(", ")) + "\n";
    }

    private static String diagnostics(LabPostgres... nodes) {
        StringBuilder out = new StringBuilder();
        for (LabPostgres node : nodes) {
            out.append(node.diagnostics());
        }
        return out.toString();
    }
}
