package dev.loopserve.inference.runtime;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/** Picks the next token from next-token logits. Pure functions of their arguments. */
final class Sampler {

  private Sampler() {}

  /**
   * Greedy when {@code plan.greedy()}; otherwise temperature, then top-k, then top-p (nucleus)
   * filtering, then one draw from {@code rng}.
   */
  static int pick(float[] logits, SamplingPlan plan, RandomGenerator rng) {
    if (plan.greedy()) {
      return argmax(logits);
    }
    int n = logits.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // Stable sort: equal logits keep id order, so draws are reproducible across JVMs.
    Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
    int keep = plan.topK() > 0 ? Math.min(plan.topK(), n) : n;
    double max = logits[order[0]] / plan.temperature();
    double[] probs = new double[keep];
    double sum = 0;
    for (int i = 0; i < keep; i++) {
      probs[i] = Math.exp(logits[order[i]] / plan.temperature() - max);
      sum += probs[i];
    }
    if (plan.topP() < 1) {
      double cumulative = 0;
      int cut = keep;
      for (int i = 0; i < keep; i++) {
        cumulative += probs[i] / sum;
        if (cumulative >= plan.topP()) {
          cut = i + 1;
          break;
        }
      }
      keep = cut;
      sum = 0;
      for (int i = 0; i < keep; i++) {
        sum += probs[i];
      }
    }
    double u = rng.nextDouble() * sum;
    for (int i = 0; i < keep; i++) {
      u -= probs[i];
      if (u < 0) {
        return order[i];
      }
    }
    return order[keep - 1];
  }

  /** Index of the largest logit; the lowest index wins a tie, as {@code torch.argmax} does. */
  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Log-softmax in double precision. */
  static double[] logSoftmax(float[] logits, double[] into) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : logits) {
      sum += Math.exp(v - max);
    }
    double log = max + Math.log(sum);
    for (int i = 0; i < logits.length; i++) {
      into[i] = logits[i] - log;
    }
    return into;
  }

  /** KL(p ‖ q) in nats, from log-probabilities. */
  static double kl(double[] logP, double[] logQ) {
    double kl = 0;
    for (int i = 0; i < logP.length; i++) {
      double p = Math.exp(logP[i]);
      if (p > 0) {
        kl += p * (logP[i] - logQ[i]);
      }
    }
    return Math.max(0, kl);
  }
}
