package org.omnileads.omlha.vrrp.fsm;

import java.util.Collections;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * The simulated cluster ({@link SimulatedCluster}) under random scenarios. A scenario is fully determined by
 * its generated parameters (its {@code seed} drives the chaos), so a failure replays exactly: jqwik retries the
 * failed sample first on the next run, and {@code @Property(seed = "...")} with the seed it printed replays the
 * whole generation. The failure message carries the scenario and the last simulated events.
 *
 * <p>With preempt on, the single master must have the highest live priority. Among equal priorities it is
 * whichever was master first: a backup does not preempt an equal priority (RFC 5798 §6.4.2), and the address
 * breaks the tie only between two masters, which the "exactly one" check covers.
 */
class VrrpClusterProperties {

    @Property(tries = 1500)
    void withPreemptTheHighestPriorityEndsUpTheOnlyMaster(@ForAll("preempting") SimulatedCluster.Scenario scenario) {
        runChecked(scenario, true);
    }

    @Property(tries = 1000)
    void withoutPreemptExactlyOneMasterRemains(@ForAll("notPreempting") SimulatedCluster.Scenario scenario) {
        runChecked(scenario, false);
    }

    /** v3 backups learn the master's interval; here every node has its own, 10 ms .. 1 s. */
    @Property(tries = 500)
    void withPerNodeIntervalsTheHighestPriorityStillWins(@ForAll("perNodeIntervals") SimulatedCluster.Scenario scenario) {
        runChecked(scenario, true);
    }

    /**
     * Found by the properties: a master that preempted a live lower master (its advert a settle time after its ARPs)
     * while that one handed over; the two-holders bound counts from the first advert.
     */
    @net.jqwik.api.Example
    void aPreemptingMasterSettlesWhileTheOldOneHandsOver() {
        replay(new SimulatedCluster.Scenario(3, List.of(1, 2, 3), List.of(150, 15, 72), List.of(5, 5, 5), 0, true, 0, 0L, 91148L), true);
    }

    /** Found by the properties: a rightful backup must not count one late advert as a dead master (1 s adverts, 10 ms late). */
    @net.jqwik.api.Example
    void aRightfulBackupToleratesALateAdvert() {
        replay(new SimulatedCluster.Scenario(2, List.of(1, 2, 3), List.of(1, 254, 255), List.of(100, 100, 100), 1, false, 0, 0L, 32817L),
                false);
    }

    @Provide
    Arbitrary<SimulatedCluster.Scenario> preempting() {
        return scenarios(Arbitraries.of(2, 3), true, false);
    }

    @Provide
    Arbitrary<SimulatedCluster.Scenario> notPreempting() {
        return scenarios(Arbitraries.of(2, 3), false, false);
    }

    @Provide
    Arbitrary<SimulatedCluster.Scenario> perNodeIntervals() {
        return scenarios(Arbitraries.just(3), true, true);
    }

    /**
     * 2..5 nodes with distinct addresses, v2 (1 s) or v3 (10 ms .. 1 s), a network delay of up to a third of
     * the shortest interval.
     */
    private static Arbitrary<SimulatedCluster.Scenario> scenarios(Arbitrary<Integer> versions, boolean preempt,
                                                                  boolean intervalPerNode) {
        Arbitrary<List<Integer>> octets = Arbitraries.integers().between(1, 254).list().uniqueElements().ofMinSize(2).ofMaxSize(5);
        Arbitrary<Integer> v3Intervals = Arbitraries.integers().between(1, 100);
        return octets.flatMap(addresses -> Combinators.combine(
                versions,
                priorities().list().ofSize(addresses.size()),
                intervalPerNode ? v3Intervals.list().ofSize(addresses.size()) : v3Intervals.map(i -> Collections.nCopies(addresses.size(), i)),
                Arbitraries.integers().between(0, 33),
                preemptDelayPercent(preempt),
                clockOrigins(),
                Arbitraries.longs()
        ).as((version, priorities, v3IntervalsPerNode, delayPercent, preemptDelay, origin, seed) -> {
            List<Integer> intervals = version == 2 ? Collections.nCopies(addresses.size(), 100) : v3IntervalsPerNode;
            return new SimulatedCluster.Scenario(version, addresses, priorities, intervals, delayPercent, preempt,
                    preemptDelay, origin, seed);
        }));
    }

    /** 1..255, with ties and the address owner much likelier than uniform draws would make them. */
    private static Arbitrary<Integer> priorities() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(1, 255)),
                Tuple.of(2, Arbitraries.of(100, 150, 254)),
                Tuple.of(1, Arbitraries.just(255)));
    }

    private static Arbitrary<Integer> preemptDelayPercent(boolean preempt) {
        if (!preempt) {
            return Arbitraries.just(0);
        }
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(1, 200)));
    }

    /** Anywhere, and often just before the {@code long} wraps. */
    private static Arbitrary<Long> clockOrigins() {
        return Arbitraries.oneOf(
                Arbitraries.longs(),
                Arbitraries.longs().between(0, 60_000_000_000L).map(before -> Long.MAX_VALUE - before),
                Arbitraries.of(Long.MIN_VALUE, -1L, 0L));
    }

    /** One scenario, traced: a failure carries the last events. No coverage statistics: it is one run. */
    private static void replay(SimulatedCluster.Scenario scenario, boolean highestMustWin) {
        SimulatedCluster traced = new SimulatedCluster(scenario, true);
        try {
            traced.run(highestMustWin);
        } catch (AssertionError failure) {
            throw new AssertionError(failure.getMessage() + "\n" + scenario + "\nlast events:\n" + traced.traceTail(), failure);
        }
    }

    private static void runChecked(SimulatedCluster.Scenario scenario, boolean highestMustWin) {
        SimulatedCluster.Outcome outcome;
        try {
            outcome = new SimulatedCluster(scenario, false).run(highestMustWin);
        } catch (AssertionError failure) {
            SimulatedCluster traced = new SimulatedCluster(scenario, true);
            try {
                traced.run(highestMustWin);
            } catch (AssertionError again) {
                throw new AssertionError(again.getMessage() + "\n" + scenario + "\nlast events:\n" + traced.traceTail(), again);
            }
            throw failure;
        }
        // The chaos must keep producing what the invariants are about, or the properties prove little.
        covered("two masters at once", outcome.mostMastersAtOnce() > 1);
        covered("a FAULT", outcome.faults() > 0);
        covered("a master stepping down", outcome.stepDowns() > 0);
    }

    private static void covered(String label, boolean seen) {
        Statistics.label(label).collect(seen);
        Statistics.label(label).coverage(coverage -> coverage.check(true).percentage(p -> p >= 20));
    }
}
