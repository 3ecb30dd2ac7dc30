package org.omnileads.omlha.agent;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The whole-agent simulation ({@link WholeAgentSimulation}) under random schedules: 2 to 5 agents, chaos for a few
 * simulated seconds, then the heal. A schedule is fully determined by its generated scenario (its {@code seed} drives
 * the chaos): a failure prints the scenario and the last events, jqwik retries the failed sample first on the next
 * run, and {@code @Property(seed = "...")} with the seed it printed replays the whole generation.
 */
class WholeAgentProperties {

    @Property(tries = 2000)
    void afterAnyScheduleTheHighestHealthyPriorityHoldsEachGroupAlone(@ForAll("schedules") WholeAgentSimulation.Scenario scenario) {
        WholeAgentSimulation.Outcome outcome = new WholeAgentSimulation(scenario).run();
        Statistics.label("nodes").collect(scenario.nodes());
        Statistics.label("with a reload").collect(outcome.reloads() > 0);
        Statistics.label("with a power cut").collect(outcome.crashes() > 0);
        Statistics.label("with a stall").collect(outcome.stalls() > 0);
    }

    @Provide
    Arbitrary<WholeAgentSimulation.Scenario> schedules() {
        return Combinators.combine(
                Arbitraries.integers().between(2, 5),
                Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.just(Long.MAX_VALUE - 2_000_000_000L),
                        Arbitraries.just(Long.MIN_VALUE), Arbitraries.longs()),
                Arbitraries.longs(),
                Arbitraries.integers().between(0, 20),
                Arbitraries.integers().between(0, 10),
                Arbitraries.integers().between(0, 20),
                Arbitraries.integers().between(0, 25),
                Arbitraries.longs().between(500, 6_000)
        ).as(WholeAgentSimulation.Scenario::new);
    }
}
