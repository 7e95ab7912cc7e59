package dev.loopserve.policy.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AccuracyCurveTest {

  @Test
  void readsTheByRListAndIgnoresEverythingElse() {
    String json =
        """
        {"model": "loop-demo", "n": 2000,
         "by_r": [{"r": 1, "accuracy": 0.4, "n": 2000}, {"r": 4, "accuracy": 0.7},
                  {"r": 8, "accuracy": 0.9}],
         "by_hops": {"1": {"1": 0.9}}, "adaptive": [{"exit": "kl", "mean_steps": 3.2}]}
        """;
    AccuracyCurve curve = AccuracyCurve.fromEvalJson(json);
    assertThat(curve.points())
        .containsExactly(Map.entry(1, 0.4), Map.entry(4, 0.7), Map.entry(8, 0.9));
    assertThat(curve.accuracy(2)).isCloseTo(0.5, within(1e-12));
    assertThat(curve.accuracy(32)).isEqualTo(0.9);
  }

  @Test
  void toleratesOtherLayouts() {
    assertThat(AccuracyCurve.fromEvalJson("{\"by_r\": {\"2\": 0.5, \"16\": 0.8}}").points())
        .containsExactly(Map.entry(2, 0.5), Map.entry(16, 0.8));
    assertThat(
            AccuracyCurve.fromEvalJson("{\"eval\": {\"by_r\": [{\"steps\": 3, \"acc\": 61.5}]}}")
                .points())
        .containsExactly(Map.entry(3, 0.615));
    assertThat(
            AccuracyCurve.fromEvalJson("{\"by_r\": [{\"r\": 1, \"accuracy\": 0.3}]}").accuracy(0))
        .isEqualTo(0.3);
  }

  @Test
  void failsClearlyWithoutATable() {
    assertThatThrownBy(() -> AccuracyCurve.fromEvalJson("{\"by_hops\": {}}"))
        .hasMessageContaining("by_r");
    assertThatThrownBy(() -> AccuracyCurve.fromEvalJson("{\"by_r\": [}"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
