package dev.loopserve.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StepTimeCurveTest {

  private final StepTimeCurve curve = StepTimeCurve.of(Map.of(2, 0.002, 8, 0.004));

  @Test
  void interpolatesBetweenKnownBatchSizes() {
    assertThat(curve.secondsPerStep(5)).isCloseTo(0.003, within(1e-12));
    assertThat(curve.secondsPerStep(8)).isEqualTo(0.004);
  }

  @Test
  void neverCreditsASmallerBatchWithLessTimeThanMeasured() {
    assertThat(curve.secondsPerStep(1)).isEqualTo(0.002);
  }

  @Test
  void assumesNoFurtherBatchingGainBeyondTheLargestMeasuredBatch() {
    assertThat(curve.secondsPerStep(16)).isCloseTo(0.008, within(1e-12));
    assertThat(curve.stepsPerSecond(16)).isCloseTo(curve.stepsPerSecond(8), within(1e-9));
  }

  @Test
  void linearTabulatesEveryBatchSize() {
    StepTimeCurve linear = StepTimeCurve.linear(0.0012, 16, 0.006);
    assertThat(linear.points()).hasSize(16);
    assertThat(linear.secondsPerStep(1)).isCloseTo(0.0012, within(1e-12));
    assertThat(linear.secondsPerStep(16)).isCloseTo(0.006, within(1e-12));
    assertThat(linear.stepsPerSecond(16)).isGreaterThan(linear.stepsPerSecond(1));
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> StepTimeCurve.of(Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StepTimeCurve.of(Map.of(0, 0.001)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StepTimeCurve.of(Map.of(1, -0.001)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> curve.secondsPerStep(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
