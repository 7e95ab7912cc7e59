package dev.loopserve.policy.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.policy.ModelProfile;
import dev.loopserve.policy.PolicyConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The goal of the adaptive policy, checked in simulated time on a fixed seed: under a step from
 * 0.7x to 3x the fleet's capacity at the default budget, it meets the latency target for at least
 * 99% of requests, a fixed maximum budget meets it for under half, and the adaptive policy's
 * expected accuracy beats every fixed budget that also meets it for 99%.
 *
 * <p>On the shipped package: the recurrence range from {@code models/loop-demo/model.json}, the
 * accuracy by r from its {@code eval.json}, and step times measured from the real runtime ({@link
 * FleetSpec#loopDemoMeasured()}).
 */
class OverloadGoalTest {
  private static final Path PACKAGE = Path.of("..", "models", "loop-demo");
  private static final ModelProfile PROFILE =
      read(() -> ModelPackage.profile(PACKAGE.resolve("model.json")));
  private static final AccuracyCurve ACCURACY =
      read(() -> AccuracyCurve.fromEvalJson(PACKAGE.resolve("eval.json")));
  private static final PolicyConfig CONFIG = PolicyConfig.builder().build();

  private interface Reader<T> {
    T read() throws IOException;
  }

  private static <T> T read(Reader<T> reader) {
    try {
      return reader.read();
    } catch (IOException e) {
      throw new UncheckedIOException("the shipped package models/loop-demo is required", e);
    }
  }

  private static Simulator simulator(long seed) {
    return new Simulator(
        FleetSpec.loopDemoMeasured(), PROFILE, CONFIG, ACCURACY, Workload.defaults(), seed);
  }

  @Test
  void runsOnTheShippedPackage() {
    assertThat(PROFILE.model()).isEqualTo("loop-demo");
    assertThat(ACCURACY.accuracy(1))
        .isLessThan(ACCURACY.accuracy(PROFILE.recurrence().defaultSteps()));
  }

  @Test
  void adaptiveBudgetsRideOutA3xLoadStepOnTheShippedModel() {
    SimulationSuite suite = new SimulationSuite(simulator(42), PROFILE, CONFIG);
    assertGoal(suite.compare(suite.loadStep()), PROFILE);
  }

  /**
   * With the trained model's default r = 4, a step to 3x the capacity at the default budget is more
   * than the fleet serves even at r = 1 (which costs 2 of 5 step units per token, so it sustains
   * 2.5x): no policy can meet the goal there, and the test pins that, so that the table's
   * overload-step row is read as infeasible rather than as a failure of the policy.
   */
  @Test
  void aStepTo3xCapacityAtTheTrainedDefaultIsBeyondEveryBudget() {
    SimulationSuite suite = new SimulationSuite(simulator(42), PROFILE, CONFIG);
    assertThat(suite.capacityAtDefault() * SimulationSuite.OVERLOAD)
        .isGreaterThan(simulator(42).capacityAt(PROFILE.recurrence().min()));
    for (RunReport r : suite.compare(suite.overloadStep())) {
      assertThat(r.metShare()).as(r.policy()).isLessThan(0.99);
    }
  }

  /**
   * The same goal on a 3x-capacity step where the smallest budget can still keep up: the demo
   * model's range with the provisional default r = 8 and the measured step times.
   */
  @Test
  void adaptiveBudgetsRideOutA3xCapacityStepWhenTheMinimumCanKeepUp() {
    ModelProfile default8 = SimulationMain.defaultProfile();
    Simulator sim =
        new Simulator(
            FleetSpec.loopDemoMeasured(), default8, CONFIG, ACCURACY, Workload.defaults(), 42);
    SimulationSuite suite = new SimulationSuite(sim, default8, CONFIG);
    assertGoal(suite.compare(suite.overloadStep()), default8);
  }

  private static void assertGoal(List<RunReport> reports, ModelProfile profile) {
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
    assertThat(adaptive.meanSteps()).isGreaterThan(profile.recurrence().min() + 1);
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
