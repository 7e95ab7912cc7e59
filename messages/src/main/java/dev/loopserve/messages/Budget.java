package dev.loopserve.messages;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The recurrence budget the scheduler granted a request, applied per generated token: at least
 * {@code minSteps} and at most {@code maxSteps} applications of the core block, stopping early once
 * an enabled exit criterion is met.
 *
 * @param exitStateDelta relative state-change threshold; 0 disables it
 * @param exitKl KL threshold between successive output distributions; 0 disables it
 * @param warmStart start each token's latent state from the previous token's final state
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Budget(
    int minSteps, int maxSteps, double exitStateDelta, double exitKl, boolean warmStart) {

  public Budget {
    if (minSteps < 1 || maxSteps < minSteps) {
      throw new IllegalArgumentException(
          "need 1 <= minSteps <= maxSteps, got " + minSteps + ".." + maxSteps);
    }
    if (exitStateDelta < 0 || exitKl < 0) {
      throw new IllegalArgumentException("exit thresholds must be >= 0");
    }
  }

  /** Exactly {@code steps} recurrences per token, adaptive exit off. */
  public static Budget fixed(int steps) {
    return new Budget(steps, steps, 0.0, 0.0, false);
  }
}
