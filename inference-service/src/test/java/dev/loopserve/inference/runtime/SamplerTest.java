package dev.loopserve.inference.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {

  private final float[] logits = {1f, 3f, 3f, 0f, 2f};

  @Test
  void greedyTakesTheLowestIdAmongTies() {
    assertThat(Sampler.pick(logits, SamplingPlan.GREEDY, new SplittableRandom(1))).isEqualTo(1);
  }

  @Test
  void topKOneIsGreedy() {
    var plan = new SamplingPlan(1.0, 1, 1, List.of());
    for (int seed = 0; seed < 20; seed++) {
      assertThat(Sampler.pick(logits, plan, new SplittableRandom(seed))).isEqualTo(1);
    }
  }

  @Test
  void topPKeepsOnlyTheNucleus() {
    // p(1) = p(2) ≈ 0.41: a nucleus of 0.5 needs exactly those two.
    var plan = new SamplingPlan(1.0, 0, 0.5, List.of());
    int[] counts = new int[logits.length];
    var rng = new SplittableRandom(7);
    for (int i = 0; i < 2000; i++) {
      counts[Sampler.pick(logits, plan, rng)]++;
    }
    assertThat(counts[0] + counts[3] + counts[4]).isZero();
    assertThat(counts[1]).isBetween(850, 1150);
  }

  @Test
  void temperatureSamplingFollowsTheSoftmax() {
    var plan = new SamplingPlan(1.0, 0, 1, List.of());
    int[] counts = new int[logits.length];
    var rng = new SplittableRandom(3);
    int n = 20000;
    for (int i = 0; i < n; i++) {
      counts[Sampler.pick(logits, plan, rng)]++;
    }
    double[] logp = Sampler.logSoftmax(logits, new double[logits.length]);
    for (int v = 0; v < logits.length; v++) {
      assertThat(counts[v] / (double) n).isCloseTo(Math.exp(logp[v]), within(0.015));
    }
  }

  @Test
  void klIsZeroForEqualAndPositiveOtherwise() {
    double[] p = Sampler.logSoftmax(logits, new double[5]);
    double[] q = Sampler.logSoftmax(new float[] {3f, 1f, 3f, 0f, 2f}, new double[5]);
    assertThat(Sampler.kl(p, p)).isCloseTo(0, within(1e-12));
    assertThat(Sampler.kl(p, q)).isGreaterThan(0.1);
  }
}
