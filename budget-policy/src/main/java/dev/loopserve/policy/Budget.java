package dev.loopserve.policy;

/**
 * The recurrence budget handed to the runtime: run at least {@code minSteps} and at most {@code
 * maxSteps} core steps per token, exiting early in between when an exit threshold is met.
 *
 * @param minSteps recurrences before adaptive exit may trigger
 * @param maxSteps the budget r, an upper bound per token
 * @param exitStateDelta relative state-change exit threshold, 0 disables
 * @param exitKl KL exit threshold in nats, 0 disables
 * @param warmStart start each token's state from the previous token's final state
 */
public record Budget(
    int minSteps, int maxSteps, double exitStateDelta, double exitKl, boolean warmStart) {

  public Budget {
    if (minSteps < 1 || maxSteps < minSteps) {
      throw new IllegalArgumentException(
          "need 1 <= minSteps <= maxSteps, got " + minSteps + "/" + maxSteps);
    }
  }
}
