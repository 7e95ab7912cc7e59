package dev.loopserve.messages;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a client asked for about recurrence; every field is optional and the scheduler fills the
 * gaps. Steps count applications of the core block per generated token.
 *
 * @param exitStateDelta relative state-change threshold for adaptive exit; 0 disables it
 * @param exitKl KL threshold between successive output distributions; 0 disables it
 * @param warmStart start each token's latent state from the previous token's final state
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RecurrenceRequest(
    Integer minSteps, Integer maxSteps, Double exitStateDelta, Double exitKl, Boolean warmStart) {

  /** Nothing requested: the scheduler decides everything. */
  public static final RecurrenceRequest NONE = new RecurrenceRequest(null, null, null, null, null);

  public RecurrenceRequest {
    if (minSteps != null && minSteps < 1) {
      throw new IllegalArgumentException("minSteps must be >= 1, was " + minSteps);
    }
    if (maxSteps != null && maxSteps < 1) {
      throw new IllegalArgumentException("maxSteps must be >= 1, was " + maxSteps);
    }
    if (minSteps != null && maxSteps != null && minSteps > maxSteps) {
      throw new IllegalArgumentException(
          "minSteps (" + minSteps + ") must not exceed maxSteps (" + maxSteps + ")");
    }
  }

  /** Forces exactly {@code steps} recurrences per token with adaptive exit off. */
  public static RecurrenceRequest fixed(int steps) {
    return new RecurrenceRequest(steps, steps, 0.0, 0.0, false);
  }
}
