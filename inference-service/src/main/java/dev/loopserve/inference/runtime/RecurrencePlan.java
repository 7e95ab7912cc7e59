package dev.loopserve.inference.runtime;

/**
 * Recurrence per generated token: at least {@code minSteps} and at most {@code maxSteps}
 * applications of the core block, stopping early when an enabled exit criterion is met.
 *
 * @param exitStateDelta threshold on ‖s_i − s_{i−1}‖ / ‖s_i‖ at the last position; 0 disables it
 * @param exitKl threshold on KL(p_i ‖ p_{i−1}) of the next-token distribution; 0 disables it. It
 *     costs one coda call per step, so it is only paid for when enabled
 * @param warmStart start each token's s_0 from the previous token's final state for the positions
 *     that existed; the new position gets the normal initial state
 */
public record RecurrencePlan(
    int minSteps, int maxSteps, double exitStateDelta, double exitKl, boolean warmStart) {

  public RecurrencePlan {
    if (minSteps < 1 || maxSteps < minSteps) {
      throw new IllegalArgumentException(
          "need 1 <= minSteps <= maxSteps, got " + minSteps + ".." + maxSteps);
    }
    if (!(exitStateDelta >= 0) || !(exitKl >= 0)) {
      throw new IllegalArgumentException("exit thresholds must be >= 0");
    }
  }

  /** Exactly {@code steps} recurrences, no adaptive exit, cold start. */
  public static RecurrencePlan fixed(int steps) {
    return new RecurrencePlan(steps, steps, 0, 0, false);
  }

  boolean klEnabled() {
    return exitKl > 0;
  }
}
