package org.omnileads.omlha.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.labservices.AddressWatch;
import org.omnileads.omlha.labservices.LabPostgres;
import org.omnileads.omlha.labservices.LabPostgresWriter;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * Issue 12: how soon the PostgreSQL read-write VIP reaches a standby that has just been promoted (target: 100 ms,
 * with the agent's postgresql probe left at its 1 s interval).
 *
 * <p>Each trial builds its own lab and removes it afterwards, whatever happens: two PostgreSQL 15 nodes under repmgr
 * 5.3 ({@link LabPostgres}: n1 primary at 192.0.2.11, n2 a standby cloned from it at 192.0.2.12), an omlha-agent on
 * each ({@link LabAgent}, as in PostgresRolesIT: postgresql probe {@code interval = 1s, timeout = 800ms} with the
 * other node as {@code peers}; group pgsql-rw, VIP 192.0.2.65, follows the primary; pgsql-ro, 192.0.2.66, follows a
 * healthy standby; adverts every 100 ms), and a client namespace (192.0.2.200) writing through the RW VIP every 10 ms
 * ({@link LabPostgresWriter}: a new INSERT per 10 ms on one connection, each waiting for the one before, JDBC connect
 * and socket timeouts 1 s). A connect that started while nobody held the VIP waits out its 1 s timeout, so that
 * writer's first write after the promotion comes up to a second after the VIP arrived whatever the agent does; a
 * second writer ({@link ConcurrentPostgresWriter}) starts an INSERT every 10 ms without waiting for earlier ones, and
 * its first acknowledged write shows when the database became writable through the VIP.
 *
 * <p>Cases, each at a random phase of the 1 s probe interval (a random 0..1000 ms sleep before the fault):
 * <ul>
 * <li>{@code crash}: repmgrd runs on both nodes; n1's postgres is SIGKILLed ({@link LabPostgres#kill()}, postmaster
 * and children, the host stays up; n1's repmgrd is then stopped, as PostgresRolesIT does) and repmgrd on n2 promotes
 * it after its own detection (the lab's repmgr.conf, printed with the table);</li>
 * <li>{@code promote}: no repmgrd; n1's postgres is SIGKILLed, and after a random 0..1000 ms the bench runs
 * {@code pg_ctl promote} on n2, as an operator's manual failover.</li>
 * </ul>
 * Then, in both: the RW VIP must reach n2 and writes resume; n1's postgres is started again without a rejoin (a stale
 * primary on the old timeline, what a node that reboots after a failover does) and watched for
 * {@link #STALE_OBSERVE}: its host must not get the RW VIP back and no acknowledged write may land on it.
 *
 * <p>Measured per trial, all on this machine's clocks (wall-clock stamps converted to {@link System#nanoTime()} with
 * one offset taken at the trial's start): the promotion instant from n2's postgres.log ({@link PromotionLog}: the
 * "archive recovery complete" line, the last before pg_is_in_recovery() turns false); the RW VIP's arrival on n2
 * ({@code ip -ts monitor address} in n2's namespace, {@link AddressWatch}); when the client's ARP entry for it turned to
 * n2's MAC ({@link NeighWatch}); the first write sent after the promotion that the server acknowledged through the VIP
 * (each writer); when the RW VIP left n1; failed writes and the longest time between acknowledged writes from
 * the fault on; the time both hosts held the RW VIP; whether n1's host held it after the promotion; the
 * acknowledged writes found on the stale n1 ({@link LabPostgres#writtenIds()}).
 */
public final class PromotionBench {
    static final String RW = "192.0.2.65";
    static final String RO = "192.0.2.66";
    private static final String N1_IP = "192.0.2.11";
    private static final String N2_IP = "192.0.2.12";
    private static final String CLIENT_IP = "192.0.2.200";
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Duration PROMOTION_LIMIT = Duration.ofSeconds(30);
    private static final Duration WRITE_PERIOD = Duration.ofMillis(10);
    /** The writer's own bound: longer than any trial. */
    private static final Duration WRITER_LIMIT = Duration.ofMinutes(3);
    /** Writes go on this long after they resumed on n2, before the stale restart. */
    private static final Duration OBSERVE = Duration.ofSeconds(1);
    /** How long the stale n1 is watched after its agent reported it stale (or after the limit if it never did). */
    private static final Duration STALE_OBSERVE = Duration.ofSeconds(2);
    private static final Duration STALE_LIMIT = Duration.ofSeconds(10);
    private static final Duration PG_CTL_LIMIT = Duration.ofSeconds(40);
    /** The second writer's ids start here (LabPostgresWriter's count from 1, in the same table). */
    private static final long CONCURRENT_FIRST_ID = 1_000_000_000L;

    /** The cases, as --cases names them. */
    enum Case {
        CRASH("crash", "n1's postgres SIGKILLed, repmgrd on n2 promotes"),
        PROMOTE("promote", "n1's postgres SIGKILLed, no repmgrd, pg_ctl promote on n2 0..1000 ms later"),
        SWITCHOVER("switchover", "repmgr standby switchover on n2 (n1 stopped cleanly, n2 promoted, n1 rejoined), repmgrd on both");

        final String label;
        final String what;

        Case(String label, String what) {
            this.label = label;
            this.what = what;
        }

        static Case parse(String text) {
            for (Case c : values()) {
                if (c.label.equals(text.trim())) {
                    return c;
                }
            }
            throw new IllegalArgumentException("unknown case " + text + " (crash, promote, switchover)");
        }
    }

    /**
     * One trial's figures, in ms unless named otherwise; NaN where not measured. {@code error} non-null: the trial did
     * not complete (the figures it got so far are kept for stderr, not for the table).
     */
    record Trial(Case c, int index, double phaseMs, double killMs, double operatorDelayMs, double crashToRequestMs, double crashToPromotionMs,
            double bracketMs, double promotionToRwMs, double promotionToWriteMs, double crashToWriteMs, double promotionToUnblockedWriteMs,
            double crashToReleaseMs, double arrivalToArpMs, int failedWrites, int sentWrites, double longestGapMs, int failedWrites2, int sentWrites2,
            double longestGap2Ms, double twoHoldersMs, double staleHostRwMs, int staleWrites, int lostWrites, boolean staleReported, double buildSeconds, double trialSeconds,
            String releaseNote, String blockedNote, String pollNote, String failures, String error) {
    }

    private final Path home;
    private final boolean pollRecovery;
    private String repmgrSettings = "";

    PromotionBench(Path home, boolean pollRecovery) {
        this.home = home;
        this.pollRecovery = pollRecovery;
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(".");
        int trials = 10;
        List<Case> cases = List.of(Case.values());
        boolean poll = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home" -> home = Path.of(args[++i]);
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--cases" -> cases = Arrays.stream(args[++i].split(",")).map(Case::parse).toList();
                case "--poll-recovery" -> poll = true;
                default -> {
                    System.err.println("usage: bench/promotion [--trials N] [--cases crash,promote] [--poll-recovery]");
                    System.exit(2);
                }
            }
        }
        if (trials < 1 || trials > 1000) {
            throw new IllegalArgumentException("--trials must be 1..1000: " + trials);
        }
        long started = System.nanoTime();
        PromotionBench bench = new PromotionBench(home.toAbsolutePath().normalize(), poll);
        Map<Case, List<Trial>> results = new LinkedHashMap<>();
        for (Case c : cases) {
            List<Trial> done = new ArrayList<>();
            for (int t = 1; t <= trials; t++) {
                Trial trial = bench.trial(c, t);
                System.err.println(describe(trial));
                done.add(trial);
            }
            results.put(c, done);
        }
        bench.print(results, trials, (System.nanoTime() - started) / 60e9);
    }

    // ---------------------------------------------------------------- one trial on a fresh lab

    /** The lab of one trial: namespaces, the two databases, the two agents; closing it removes everything. */
    private final class Lab implements AutoCloseable {
        final NetnsLab lab;
        final NetnsLab.Host n1;
        final NetnsLab.Host n2;
        final NetnsLab.Host client;
        final LabPostgres db1;
        final LabPostgres db2;
        LabAgent agent1;
        LabAgent agent2;

        /** The namespaces and the (not yet created) databases; {@link #start} builds the rest. */
        Lab() throws IOException {
            lab = NetnsLab.create();
            try {
                n1 = lab.addHost("n1", N1_IP + "/24", null);
                n2 = lab.addHost("n2", N2_IP + "/24", null);
                client = lab.addHost("cl", CLIENT_IP + "/24", null);
            } catch (IOException | RuntimeException e) {
                lab.close();
                throw e;
            }
            db1 = new LabPostgres(lab, n1, 1);
            db2 = new LabPostgres(lab, n2, 2);
        }

        /** n1 primary, n2 cloned from it, repmgrd on both if asked, the two agents; returns once RW is on n1 and RO on n2. */
        void start(boolean repmgrd) throws Exception {
            db1.initPrimary();
            db2.cloneStandbyFrom(db1);
            if (repmgrd) {
                db1.startRepmgrd();
                db2.startRepmgrd();
            }
            List<String> launcher = List.of(home.resolve("bin/omlha-agent").toString());
            agent1 = new LabAgent(lab, n1, launcher, agentConfig(150, N1_IP, N2_IP));
            agent2 = new LabAgent(lab, n2, launcher, agentConfig(100, N2_IP, N1_IP));
            agent1.start();
            agent2.start();
            await(() -> onlyHolder(n1, RW) && onlyHolder(n2, RO), "RW on n1 (primary) only, RO on n2 (standby) only", LIMIT);
            await(() -> db2.upstream().equals(Optional.of(N1_IP)), "n2 streams from n1", LIMIT);
        }

        boolean holds(NetnsLab.Host host, String vip) {
            return BenchLab.holds(lab, host, vip);
        }

        boolean onlyHolder(NetnsLab.Host host, String vip) {
            return holds(host, vip) && !holds(host == n1 ? n2 : n1, vip);
        }

        void await(BooleanSupplier condition, String what, Duration limit) throws InterruptedException {
            long end = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() - end < 0) {
                if (condition.getAsBoolean()) {
                    return;
                }
                Thread.sleep(10);
            }
            if (!condition.getAsBoolean()) {
                throw new IllegalStateException("not within " + limit.toSeconds() + " s: " + what);
            }
        }

        /** Both agents' last lines and both databases' diagnostics, for a trial that failed. */
        String diagnostics() {
            StringBuilder out = new StringBuilder();
            for (NetnsLab.Host host : List.of(n1, n2)) {
                try {
                    out.append(lab.addresses(host));
                } catch (IOException e) {
                    out.append(host.name()).append(": ").append(e.getMessage()).append('\n');
                }
            }
            for (LabAgent agent : new LabAgent[] {agent1, agent2}) {
                if (agent != null) {
                    out.append("---- agent ").append(agent.host().name()).append(" (last lines)\n").append(tail(agent.logText(), 30)).append('\n');
                }
            }
            out.append(db1.diagnostics()).append(db2.diagnostics());
            return out.toString();
        }

        @Override
        public void close() {
            try {
                db2.close();
            } finally {
                try {
                    db1.close();
                } finally {
                    lab.close();
                }
            }
        }
    }

    /** The agents' probes and groups: PostgresRolesIT's, adverts every 100 ms, probe every second. */
    static String agentConfig(int priority, String self, String peer) {
        return "  probes { pg { type = postgresql, url = \"jdbc:postgresql://" + self + ":5432/postgres\", user = \"omlha\",\n"
                + "    peers = [\"jdbc:postgresql://" + peer + ":5432/postgres\"], interval = 1s, timeout = 800ms } }\n"
                + "  groups {\n"
                + "    pgsql-rw { vrid = 61, priority = " + priority + ", vips = [\"" + RW + "/24\"], advert-interval = 100ms,"
                + " follow = { probe = pg, role = primary } }\n"
                + "    pgsql-ro { vrid = 62, priority = " + priority + ", vips = [\"" + RO + "/24\"], advert-interval = 100ms,"
                + " follow = { probe = pg, role = standby } }\n"
                + "  }";
    }

    /** What a trial has measured so far (so that a trial that fails half-way still says what it saw). */
    private static final class Partial {
        double phaseMs = Double.NaN;
        double killMs = Double.NaN;
        double operatorDelayMs = Double.NaN;
        double crashToRequestMs = Double.NaN;
        double crashToPromotionMs = Double.NaN;
        double bracketMs = Double.NaN;
        double promotionToRwMs = Double.NaN;
        double promotionToWriteMs = Double.NaN;
        double crashToWriteMs = Double.NaN;
        double promotionToUnblockedWriteMs = Double.NaN;
        double crashToReleaseMs = Double.NaN;
        double arrivalToArpMs = Double.NaN;
        int failedWrites = -1;
        int sentWrites = -1;
        double longestGapMs = Double.NaN;
        int failedWrites2 = -1;
        int sentWrites2 = -1;
        double longestGap2Ms = Double.NaN;
        double twoHoldersMs = Double.NaN;
        double staleHostRwMs = Double.NaN;
        int staleWrites = -1;
        int lostWrites = -1;
        boolean staleReported;
        double buildSeconds = Double.NaN;
        String blockedNote = "";
        String releaseNote = "";
        String pollNote = "";
        String failures = "";
        long switchoverMs = -1;

        Trial trial(Case c, int index, double trialSeconds, String error) {
            return new Trial(c, index, phaseMs, killMs, operatorDelayMs, crashToRequestMs, crashToPromotionMs, bracketMs, promotionToRwMs,
                    promotionToWriteMs, crashToWriteMs, promotionToUnblockedWriteMs, crashToReleaseMs, arrivalToArpMs, failedWrites, sentWrites,
                    longestGapMs, failedWrites2, sentWrites2, longestGap2Ms, twoHoldersMs, staleHostRwMs, staleWrites, lostWrites, staleReported,
                    buildSeconds, trialSeconds, releaseNote, blockedNote, pollNote, failures, error);
        }
    }

    /** One trial of {@code c} on its own lab; never throws: a failure is the trial's error. */
    Trial trial(Case c, int index) {
        long started = System.nanoTime();
        Partial p = new Partial();
        Lab lab = null;
        try {
            lab = new Lab();
            lab.start(c != Case.PROMOTE);
            p.buildSeconds = (System.nanoTime() - started) / 1e9;
            if (repmgrSettings.isEmpty()) {
                repmgrSettings = repmgrSettings(lab.db2.repmgrConf());
            }
            measure(c, lab, p);
            return p.trial(c, index, (System.nanoTime() - started) / 1e9, null);
        } catch (Exception | Error e) {
            String diagnostics = lab == null ? "" : lab.diagnostics();
            System.err.printf("promotion: %s trial %d FAILED: %s%n%s%n", c.label, index, e, diagnostics);
            return p.trial(c, index, (System.nanoTime() - started) / 1e9, firstLine(e.toString()));
        } finally {
            if (lab != null) {
                lab.close();
            }
        }
    }

    private void measure(Case c, Lab lab, Partial p) throws Exception {
        InetSocketAddress rw = new InetSocketAddress(InetAddress.getByName(RW), LabPostgres.PORT);
        String mac2 = lab.lab.exec(lab.n2, "cat", "/sys/class/net/" + NetnsLab.NIC + "/address").trim();
        try (AddressWatch w1 = AddressWatch.start(lab.lab, lab.n1, RW); AddressWatch w2 = AddressWatch.start(lab.lab, lab.n2, RW);
                NeighWatch neigh = NeighWatch.start(lab.lab, lab.client, RW)) {
            // One wall-clock <-> nanoTime offset for the whole trial (the log's and ip monitor's stamps are wall-clock).
            Instant now = Instant.now();
            long nowNanos = System.nanoTime();
            long offsetMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000 - nowNanos / 1000;
            Function<Instant, Long> toNanos = at -> (at.getEpochSecond() * 1_000_000 + at.getNano() / 1000 - offsetMicros) * 1000;

            LabPostgresWriter writer = LabPostgresWriter.start(lab.client.namespace(), rw, WRITE_PERIOD, WRITER_LIMIT);
            ConcurrentPostgresWriter unblocked = null;
            RecoveryPoller poller = null;
            try {
                unblocked = ConcurrentPostgresWriter.start(lab.client.namespace(), rw, WRITE_PERIOD, WRITER_LIMIT, CONCURRENT_FIRST_ID);
                ConcurrentPostgresWriter second = unblocked;
                lab.await(() -> writer.acknowledgedIds().size() >= 50 && second.attempts().stream().filter(LabPostgresWriter.Attempt::acknowledged)
                        .count() >= 50, "50 writes of each writer acknowledged through the RW VIP on n1", LIMIT);
                long mark = Files.size(lab.db2.log());
                if (pollRecovery) {
                    poller = RecoveryPoller.start(lab.client.namespace(), N2_IP, Duration.ofMillis(1), Duration.ofSeconds(40));
                }
                long phase = ThreadLocalRandom.current().nextLong(1000);
                p.phaseMs = phase;
                Thread.sleep(phase); // a random phase of the 1 s probe interval

                // The fault: from the instant kill() returned, n1's postgres is gone (postmaster and every backend; until
                // then a backend whose postmaster is already stopped may still acknowledge a write). A switchover's
                // "crash" is the instant repmgr starts: it stops n1 cleanly, promotes n2 and rejoins n1 as its standby.
                long killing = System.nanoTime();
                if (c == Case.SWITCHOVER) {
                    p.switchoverMs = lab.db2.switchoverFrom(lab.db1).toMillis();
                    System.err.printf("promotion: repmgr standby switchover returned after %d ms%n", p.switchoverMs);
                } else {
                    lab.db1.kill();
                }
                long crash = c == Case.SWITCHOVER ? killing : System.nanoTime();
                p.killMs = c == Case.SWITCHOVER ? 0 : (crash - killing) / 1e6;
                if (c == Case.SWITCHOVER) {
                    // nothing more: repmgr did it all
                } else if (c == Case.CRASH) {
                    lab.db1.stopRepmgrd(); // the node's repmgrd out of the way, as PostgresRolesIT does
                } else {
                    long delay = ThreadLocalRandom.current().nextLong(1000);
                    p.operatorDelayMs = delay;
                    Thread.sleep(Math.max(0, delay - (System.nanoTime() - crash) / 1_000_000));
                    pgCtlPromote(lab);
                }

                // The promotion, from n2's log.
                PromotionLog.Promotion promotion = awaitPromotion(lab, mark);
                long promoted = toNanos.apply(promotion.recoveryComplete().orElseThrow());
                long ready = toNanos.apply(promotion.readyForConnections().orElseThrow());
                p.crashToPromotionMs = (promoted - crash) / 1e6;
                p.bracketMs = (ready - promoted) / 1e6;
                promotion.promoteRequest().ifPresent(r -> p.crashToRequestMs = (toNanos.apply(r) - crash) / 1e6);
                if (promotion.timeline() != 2) {
                    throw new IllegalStateException("n2 promoted to timeline " + promotion.timeline() + ", expected 2");
                }

                // The RW VIP on n2, writes acknowledged again.
                lab.await(() -> lab.holds(lab.n2, RW), "RW on n2", LIMIT);
                lab.await(() -> writer.firstAcknowledgedSentAfter(promoted).isPresent() && second.firstAcknowledgedSentAfter(promoted).isPresent(),
                        "a write of each writer sent after the promotion acknowledged", LIMIT);
                OptionalLong arrived = w2.periods().stream().mapToLong(AddressWatch.Held::from).filter(from -> from - crash >= 0).min();
                if (arrived.isEmpty()) {
                    throw new IllegalStateException("ip monitor saw no RW arrival on n2 after the fault");
                }
                p.promotionToRwMs = (arrived.getAsLong() - promoted) / 1e6;
                OptionalLong learned = neigh.firstWithMac(mac2, crash);
                p.arrivalToArpMs = learned.isPresent() ? (learned.getAsLong() - arrived.getAsLong()) / 1e6 : Double.NaN;
                LabPostgresWriter.Attempt first = writer.firstAcknowledgedSentAfter(promoted).orElseThrow();
                p.promotionToWriteMs = (first.endedNanos() - promoted) / 1e6;
                p.crashToWriteMs = (writer.firstAcknowledgedSentAfter(crash).orElseThrow().endedNanos() - crash) / 1e6;
                p.promotionToUnblockedWriteMs = (second.firstAcknowledgedSentAfter(promoted).orElseThrow().endedNanos() - promoted) / 1e6;
                p.blockedNote = blockedNote(writer.attempts(), first, arrived.getAsLong());
                OptionalLong left = w1.releasedAfter(crash);
                p.crashToReleaseMs = left.isPresent() ? (left.getAsLong() - crash) / 1e6 : Double.NaN;
                p.releaseNote = left.isPresent() ? String.format(Locale.ROOT, "RW left n1 %.0f ms after the crash", p.crashToReleaseMs)
                        : "RW still on n1";
                if (poller != null) {
                    p.pollNote = pollNote(poller, promoted, ready);
                }
                Thread.sleep(OBSERVE.toMillis());

                if (c != Case.SWITCHOVER) {
                    // n1 back without a rejoin: a stale primary on timeline 1.
                    lab.db1.start();
                    lab.await(() -> lab.db1.role() == LabPostgres.Role.PRIMARY, "n1 back up (stale primary)", LIMIT);
                    p.staleReported = awaitQuietly(() -> staleReported(lab.agent1), STALE_LIMIT);
                    Thread.sleep(STALE_OBSERVE.toMillis());
                } else {
                    p.staleReported = true; // no stale primary: n1 was rejoined as n2's standby
                }
                long end = System.nanoTime();
                writer.close();
                unblocked.close();

                // Figures of the whole trial, from the fault to the end.
                List<LabPostgresWriter.Attempt> attempts = writer.attempts();
                List<LabPostgresWriter.Attempt> window = attempts.stream().filter(a -> a.sentNanos() - crash >= 0).toList();
                p.sentWrites = window.size();
                p.failedWrites = (int) window.stream().filter(a -> !a.acknowledged()).count();
                p.failures = window.stream().filter(a -> !a.acknowledged())
                        .collect(Collectors.groupingBy(a -> shorten(a.failure()), LinkedHashMap::new, Collectors.counting()))
                        .entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
                p.longestGapMs = LabPostgresWriter.longestGap(attempts, crash).map(LabPostgresWriter.Gap::millis).orElse(Double.NaN);
                List<LabPostgresWriter.Attempt> attempts2 = unblocked.attempts();
                p.failedWrites2 = (int) attempts2.stream().filter(a -> a.sentNanos() - crash >= 0 && !a.acknowledged()).count();
                p.sentWrites2 = (int) attempts2.stream().filter(a -> a.sentNanos() - crash >= 0).count();
                p.longestGap2Ms = LabPostgresWriter.longestGap(attempts2, crash).map(LabPostgresWriter.Gap::millis).orElse(Double.NaN);
                p.twoHoldersMs = AddressWatch.overlapMillis(w1, w2, crash, end);
                p.staleHostRwMs = heldMillis(w1, promoted, end);
                SortedSet<Long> onStale = lab.db1.writtenIds();
                SortedSet<Long> onN2 = lab.db2.writtenIds();
                List<Long> acknowledgedSinceCrash = new ArrayList<>(writer.acknowledgedIdsSentBetween(crash, end));
                acknowledgedSinceCrash.addAll(unblocked.acknowledgedIdsSentBetween(crash, end));
                // After a switchover n1 is n2's standby and holds n2's rows too: a write on "the old primary" is then one
                // that n1 acknowledged and n2 never got (n1 took it after n2's promotion, its rejoin would discard it).
                p.staleWrites = (int) acknowledgedSinceCrash.stream()
                        .filter(id -> onStale.contains(id) && (c != Case.SWITCHOVER || !onN2.contains(id))).count();
                p.lostWrites = (int) java.util.stream.Stream.concat(attempts.stream(), attempts2.stream())
                        .filter(a -> a.acknowledged() && a.sentNanos() - crash < 0 && !onN2.contains(a.id())).count();
            } finally {
                if (poller != null) {
                    poller.close();
                }
                writer.close(); // stops writing (also after a failure); a second close does nothing more
                if (unblocked != null) {
                    unblocked.close();
                }
            }
        }
    }

    /**
     * Why LabPostgresWriter's first write after the promotion came when it did: the attempt it had in flight when the
     * RW VIP reached n2 (sent before, so it could only end by its timeout or by a SYN retransmission to the new holder).
     */
    private static String blockedNote(List<LabPostgresWriter.Attempt> attempts, LabPostgresWriter.Attempt first, long arrived) {
        Optional<LabPostgresWriter.Attempt> inFlight = attempts.stream()
                .filter(a -> a.sentNanos() - arrived < 0 && a.endedNanos() - arrived >= 0).findFirst();
        String flight = inFlight.map(a -> String.format(Locale.ROOT, "its attempt in flight at the RW arrival was sent %.0f ms before it and %s "
                + "%.0f ms after it", (arrived - a.sentNanos()) / 1e6, a.acknowledged() ? "acknowledged" : "failed (" + shorten(a.failure()) + ")",
                (a.endedNanos() - arrived) / 1e6)).orElse("no attempt in flight at the RW arrival");
        return String.format(Locale.ROOT, "LabPostgresWriter: first acknowledged write %.0f ms after the RW arrival; %s",
                (first.endedNanos() - arrived) / 1e6, flight);
    }

    /** {@code pg_ctl promote} on n2 as postgres inside its namespace (waits until it is done, as an operator's would). */
    private static void pgCtlPromote(Lab lab) throws IOException, InterruptedException {
        List<String> command = List.of("ip", "netns", "exec", lab.n2.namespace(), "runuser", "-u", "postgres", "--",
                LabPostgres.BIN.resolve("pg_ctl").toString(), "-w", "-t", "30", "-D", lab.db2.dataDir().toString(), "promote");
        ProcessBuilder builder = new ProcessBuilder(command).directory(lab.db2.dataDir().getParent().toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes(); // pg_ctl closes its output when it exits (bounded by -t 30)
        if (!process.waitFor(PG_CTL_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("pg_ctl promote did not end in " + PG_CTL_LIMIT.toSeconds() + " s");
        }
        if (process.exitValue() != 0) {
            throw new IOException("pg_ctl promote failed (exit " + process.exitValue() + "): " + new String(out, StandardCharsets.UTF_8).strip());
        }
    }

    /** Waits until n2's log shows the whole promotion (both lines around the flip) and n2 answers as a primary. */
    private static PromotionLog.Promotion awaitPromotion(Lab lab, long mark) throws IOException, InterruptedException {
        long end = System.nanoTime() + PROMOTION_LIMIT.toNanos();
        while (true) {
            PromotionLog.Promotion promotion = PromotionLog.read(lab.db2.log(), mark);
            if (promotion.complete() && lab.db2.role() == LabPostgres.Role.PRIMARY) {
                return promotion;
            }
            if (System.nanoTime() - end >= 0) {
                throw new IllegalStateException("n2 not promoted within " + PROMOTION_LIMIT.toSeconds() + " s (log: " + promotion + ")");
            }
            Thread.sleep(20);
        }
    }

    private static boolean staleReported(LabAgent agent) {
        return agent.group("pgsql-rw").map(g -> g.database() != null && g.database().stalePrimary()).orElse(false);
    }

    private static boolean awaitQuietly(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() - end < 0) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    /** Milliseconds within [from, to) during which the watch's host held the VIP. */
    private static double heldMillis(AddressWatch watch, long from, long to) throws IOException {
        long total = 0;
        for (AddressWatch.Held h : watch.periods()) {
            long start = h.from() - from > 0 ? h.from() : from;
            long stop = h.to() == Long.MAX_VALUE || h.to() - to > 0 ? to : h.to();
            if (stop - start > 0) {
                total += stop - start;
            }
        }
        return total / 1e6;
    }

    private static String pollNote(RecoveryPoller poller, long promoted, long ready) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (poller.flip().isEmpty() && poller.failure().isEmpty() && System.nanoTime() - end < 0) {
            Thread.sleep(5);
        }
        return poller.flip().map(f -> String.format(Locale.ROOT,
                "pg_is_in_recovery() flipped in [%+.1f, %+.1f] ms of 'archive recovery complete' (ready line at %+.1f)",
                (f.lastTrueSentNanos() - promoted) / 1e6, (f.firstFalseEndedNanos() - promoted) / 1e6, (ready - promoted) / 1e6))
                .orElse("poller: " + poller.failure().orElse("no flip seen"));
    }

    /** The repmgr.conf settings that decide repmgrd's failover timing, as the lab writes them. */
    private static String repmgrSettings(Path conf) {
        try {
            List<String> keys = List.of("failover", "monitor_interval_secs", "reconnect_attempts", "reconnect_interval", "promote_check_interval",
                    "connection_check_type", "primary_visibility_consensus", "standby_disconnect_on_failover");
            return Files.readAllLines(conf).stream().filter(l -> keys.stream().anyMatch(k -> l.startsWith(k + "=")))
                    .collect(Collectors.joining(", "));
        } catch (IOException e) {
            return "(repmgr.conf unreadable: " + e.getMessage() + ")";
        }
    }

    // ---------------------------------------------------------------- output

    static String describe(Trial t) {
        String head = String.format(Locale.ROOT, "promotion: %s trial %d (%.0f s, lab built in %.1f s): ", t.c().label, t.index(), t.trialSeconds(),
                t.buildSeconds());
        String figures = String.format(Locale.ROOT, "phase %s ms, kill() %s ms%s; crash -> promote request %s ms -> recovery complete %s ms "
                + "(ready line +%s ms); %s; promotion -> RW on n2 %s ms, the client's ARP entry on n2's MAC %s ms after that; promotion -> first acknowledged write %s ms (non-blocking writer %s ms); "
                + "crash -> first write %s ms; writes failed %s/%s (%s), longest gap %s ms; non-blocking writer failed %s/%s, longest gap %s ms; "
                + "two holders %s ms; stale n1: RW held after promotion %s ms, acknowledged writes on it %s, reported stale by its agent %s; "
                + "acknowledged before the crash but not on n2 (async replication) %s%s%s",
                ms(t.phaseMs()), ms1(t.killMs()), t.c() == Case.PROMOTE ? ", operator delay " + ms(t.operatorDelayMs()) + " ms" : "",
                ms(t.crashToRequestMs()), ms(t.crashToPromotionMs()), ms1(t.bracketMs()), t.releaseNote().isEmpty() ? "RW on n1: -" : t.releaseNote(),
                ms(t.promotionToRwMs()), ms(t.arrivalToArpMs()), ms(t.promotionToWriteMs()),
                ms(t.promotionToUnblockedWriteMs()), ms(t.crashToWriteMs()), count(t.failedWrites()), count(t.sentWrites()), t.failures(),
                ms(t.longestGapMs()), count(t.failedWrites2()), count(t.sentWrites2()), ms(t.longestGap2Ms()), ms1(t.twoHoldersMs()),
                ms1(t.staleHostRwMs()), count(t.staleWrites()), t.staleReported() ? "yes" : "no", count(t.lostWrites()),
                t.blockedNote().isEmpty() ? "" : "; " + t.blockedNote(), t.pollNote().isEmpty() ? "" : "; " + t.pollNote());
        return head + figures + (t.error() == null ? "" : "; FAILED: " + t.error());
    }

    /** A row of the table: one figure of one case over its completed trials. */
    private record Row(String figure, Function<Trial, Double> value, String target, Function<BenchStats, Boolean> met, int decimals) {
        Row(String figure, Function<Trial, Double> value, String target, Function<BenchStats, Boolean> met) {
            this(figure, value, target, met, 0);
        }

        String format(double v) {
            return Double.isNaN(v) ? "-" : BenchFormat.decimals(v + 0.0, decimals).replaceFirst("^-(0(\\.0*)?)$", "$1");
        }
    }

    private static final List<Row> ROWS = List.of(
            new Row("promotion -> RW VIP on the new primary, ms", Trial::promotionToRwMs, "median <= 50, max <= 100",
                    s -> s.median() <= 50 && s.max() <= 100),
            new Row("promotion -> first acknowledged write, ms (*)", Trial::promotionToWriteMs, "max <= 150", s -> s.max() <= 150),
            new Row("  same, non-blocking writer, ms", Trial::promotionToUnblockedWriteMs, "max <= 150", s -> s.max() <= 150),
            new Row("RW arrival -> client's ARP entry on n2, ms", Trial::arrivalToArpMs, "-", null),
            new Row("crash -> promotion, ms", Trial::crashToPromotionMs, "-", null),
            new Row("crash -> first acknowledged write, ms (*)", Trial::crashToWriteMs, "-", null),
            new Row("failed writes (*)", t -> (double) t.failedWrites(), "-", null),
            new Row("longest write gap, ms (*)", Trial::longestGapMs, "-", null),
            new Row("two holders of RW, ms", Trial::twoHoldersMs, "0", s -> s.max() == 0, 1),
            new Row("crash -> RW left the old primary's host, ms", Trial::crashToReleaseMs, "-", null),
            new Row("RW on the old primary's host after promotion, ms", Trial::staleHostRwMs, "0", s -> s.max() == 0, 1),
            new Row("acknowledged writes on the stale primary", t -> (double) t.staleWrites(), "0", s -> s.max() == 0));

    void print(Map<Case, List<Trial>> results, int trials, double minutes) {
        System.out.printf("%nPostgreSQL promotion -> read-write VIP (issue 12): 2 nodes, PostgreSQL 15 + repmgr %s, omlha-agent on both nodes "
                + "(postgresql probe interval 1 s, adverts 100 ms), a client writing through the RW VIP every 10 ms; %d trial%s per case, "
                + "each on a fresh lab, at a random phase of the probe interval; %d CPUs, %.1f min%n", repmgrVersion(), trials,
                trials == 1 ? "" : "s", Runtime.getRuntime().availableProcessors(), minutes);
        System.out.println("crash = kill() of n1's postgres returned (every process gone); promotion = n2's postgres.log 'archive recovery "
                + "complete' (ms stamp; pg_is_in_recovery() turns false after it, before 'database system is ready to accept connections'); "
                + "RW VIP = ip -ts monitor address on n2; ARP entry = ip -ts monitor neigh in the client; (*) writes of LabPostgresWriter: a new INSERT every 10 ms on one connection, each waiting "
                + "for the one before (JDBC connect/socket timeout 1 s), failed writes and gap from the crash to the trial's end; non-blocking "
                + "writer: an INSERT starts every 10 ms whatever the earlier ones do (kept connections, a new one when none is idle); stale: "
                + "n1's postgres restarted without a rejoin after the promotion, watched until its agent reported it stale + "
                + STALE_OBSERVE.toSeconds() + " s; writes on it: either writer's, sent after the crash");
        System.out.println("crash: repmgrd promotes; repmgr.conf: " + repmgrSettings);
        System.out.println("promote: no repmgrd; pg_ctl promote on n2 a random 0..1000 ms after the kill");
        System.out.println("switchover: repmgr standby switchover run on n2 (the ssh stand-in of LabPostgres); 'crash' is its start; "
                + "the old primary is rejoined as a standby, not restarted stale");
        System.out.println();
        String format = "| %-8s | %-48s | %-8s | %-8s | %-26s | %-4s |%n";
        System.out.printf(format, "case", "figure (over the trials)", "median", "max", "target", "met");
        System.out.printf(format, "-".repeat(8), "-".repeat(48), "-".repeat(8), "-".repeat(8), "-".repeat(26), "-".repeat(4));
        for (Map.Entry<Case, List<Trial>> entry : results.entrySet()) {
            List<Trial> ok = entry.getValue().stream().filter(t -> t.error() == null).toList();
            int failed = entry.getValue().size() - ok.size();
            for (Row row : ROWS) {
                BenchStats stats = new BenchStats(ok.stream().map(row.value()).filter(v -> !Double.isNaN(v)).toList());
                String met = row.met() == null ? "-" : stats.values().isEmpty() || failed > 0 ? "NO" : row.met().apply(stats) ? "yes" : "NO";
                System.out.printf(format, entry.getKey().label, row.figure(), row.format(stats.median()), row.format(stats.max()), row.target(), met);
            }
            System.out.printf(format, entry.getKey().label, "trials completed", ok.size() + "/" + entry.getValue().size(), "", "all", failed == 0 ? "yes" : "NO");
        }
        System.out.println();
        for (Map.Entry<Case, List<Trial>> entry : results.entrySet()) {
            List<Trial> all = entry.getValue();
            BenchStats build = new BenchStats(all.stream().map(Trial::buildSeconds).filter(v -> !Double.isNaN(v)).toList());
            BenchStats whole = new BenchStats(all.stream().map(Trial::trialSeconds).toList());
            BenchStats request = new BenchStats(all.stream().filter(t -> t.error() == null).map(Trial::crashToRequestMs).filter(v -> !Double.isNaN(v)).toList());
            BenchStats bracket = new BenchStats(all.stream().filter(t -> t.error() == null).map(Trial::bracketMs).filter(v -> !Double.isNaN(v)).toList());
            System.out.printf(Locale.ROOT, "- %s (%s): crash -> promote request %s ms (median / max); 'archive recovery complete' -> 'ready to accept "
                    + "connections' %s / %s ms; a trial took %.1f s median, of which building its lab %.1f s%n", entry.getKey().label,
                    entry.getKey().what, request, BenchFormat.decimals(bracket.median(), 1), BenchFormat.decimals(bracket.max(), 1),
                    whole.median(), build.median());
            all.stream().filter(t -> t.error() != null).forEach(t -> System.out.printf("  trial %d failed: %s%n", t.index(), t.error()));
        }
    }

    private static String repmgrVersion() {
        try {
            Process p = new ProcessBuilder(LabPostgres.BIN.resolve("repmgr").toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor(10, TimeUnit.SECONDS);
            return out.startsWith("repmgr ") ? out.substring("repmgr ".length()) : "?";
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    /** Whole milliseconds ("0", never "-0", for a value that rounds to zero). */
    static String ms(double value) {
        return Double.isNaN(value) ? "-" : BenchFormat.decimals(value, 0).replaceFirst("^-(0)$", "$1");
    }

    static String ms1(double value) {
        return Double.isNaN(value) ? "-" : BenchFormat.decimals(value, 1).replaceFirst("^-(0\\.0)$", "$1");
    }

    private static String count(int value) {
        return value < 0 ? "-" : Integer.toString(value);
    }

    private static String shorten(String failure) {
        if (failure == null) {
            return "?";
        }
        return failure.length() > 80 ? failure.substring(0, 80) + "..." : failure;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
