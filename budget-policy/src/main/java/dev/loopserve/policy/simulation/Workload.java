package dev.loopserve.policy.simulation;

import dev.loopserve.policy.PriorityClass;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What arrives: the share of each priority class and the tokens each request generates (the demo
 * task answers one digit then {@code <eos>}: 2 tokens). Requests carry the class default target.
 *
 * @param mix share of each class; shares are normalised
 * @param tokensPerRequest tokens each request generates, also its maxTokens
 */
public record Workload(Map<PriorityClass, Double> mix, int tokensPerRequest) {

  public Workload {
    EnumMap<PriorityClass, Double> m = new EnumMap<>(PriorityClass.class);
    double sum = 0;
    for (PriorityClass c : PriorityClass.values()) {
      double share = mix.getOrDefault(c, 0.0);
      if (!(share >= 0)) {
        throw new IllegalArgumentException("shares must be >= 0");
      }
      m.put(c, share);
      sum += share;
    }
    if (!(sum > 0)) {
      throw new IllegalArgumentException("mix needs a positive share");
    }
    for (PriorityClass c : PriorityClass.values()) {
      m.put(c, m.get(c) / sum);
    }
    mix = Map.copyOf(m);
    if (tokensPerRequest < 1) {
      throw new IllegalArgumentException("tokensPerRequest must be >= 1");
    }
  }

  /** 30% interactive, 50% standard, 20% batch; 2 tokens. */
  public static Workload defaults() {
    return new Workload(
        Map.of(
            PriorityClass.INTERACTIVE, 0.3,
            PriorityClass.STANDARD, 0.5,
            PriorityClass.BATCH, 0.2),
        2);
  }

  PriorityClass draw(SplittableRandom random) {
    double u = random.nextDouble();
    PriorityClass last = PriorityClass.STANDARD;
    for (PriorityClass c :
        new PriorityClass[] {
          PriorityClass.INTERACTIVE, PriorityClass.STANDARD, PriorityClass.BATCH
        }) {
      double share = mix.get(c);
      if (share > 0) {
        last = c;
        if (u < share) {
          return c;
        }
        u -= share;
      }
    }
    return last;
  }
}
