package dev.loopserve.policy.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.policy.ModelProfile;
import dev.loopserve.policy.PolicyConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The goal of the adaptive policy, checked in simulated time on a fixed seed: under a step from
 * 0.7x to 3x the fleet's capacity at the default budget, it meets the latency target for at least
 * 99% of requests, a fixed maximum budget meets it for under half, and the adaptive policy's
 * expected accuracy beats every fixed budget that also meets it for 99%.
 */
class OverloadGoalTest {
  private static final ModelProfile PROFILE = SimulationMain.defaultProfile();
  private static final PolicyConfig CONFIG = PolicyConfig.builder().build();

  private static Simulator simulator(long seed) {
    return new Simulator(
        FleetSpec.tinyModelDefaults(),
        PROFILE,
        CONFIG,
        AccuracyCurve.of(SimulationMain.PLACEHOLDER_ACCURACY),
        Workload.defaults(),
        seed);
  }

  @Test
  void adaptiveBudgetsRideOutA3xOverloadStep() {
    SimulationSuite suite = new SimulationSuite(simulator(42), PROFILE, CONFIG);
    List<RunReport> reports = suite.compare(suite.overloadStep());
    RunReport adaptive = reports.get(0);
    RunReport fixedMax = reports.get(3);
    assertThat(adaptive.policy()).isEqualTo("adaptive");
    assertThat(fixedMax.policy()).startsWith("fixed-max");
    assertThat(adaptive.requests()).isGreaterThan(50_000);

    assertThat(adaptive.metShare()).isGreaterThanOrEqualTo(0.99);
    assertThat(fixedMax.metShare()).isLessThan(0.5);
    List<RunReport> fixedThatMeetIt =
        reports.subList(1, 4).stream().filter(r -> r.metShare() >= 0.99).toList();
    assertThat(fixedThatMeetIt).isNotEmpty(); // at least the minimum budget keeps up
    for (RunReport fixed : fixedThatMeetIt) {
      assertThat(adaptive.expectedAccuracy())
          .as("adaptive vs %s", fixed.policy())
          .isGreaterThan(fixed.expectedAccuracy());
    }
    // It spent recurrences where it could: above the minimum, below the maximum.
    assertThat(adaptive.meanSteps()).isGreaterThan(PROFILE.recurrence().min() + 1);
  }

  @Test
  void theSameSeedGivesTheSameReport() {
    Trace trace = Trace.poisson(300, 5);
    SimulationSuite suite = new SimulationSuite(simulator(7), PROFILE, CONFIG);
    RunReport first = simulator(7).run("adaptive", trace, suite.policies().get("adaptive"));
    RunReport second = simulator(7).run("adaptive", trace, suite.policies().get("adaptive"));
    assertThat(second).isEqualTo(first);
  }
}
