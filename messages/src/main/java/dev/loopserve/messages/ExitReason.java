package dev.loopserve.messages;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Why the recurrence loop for one token stopped. */
public enum ExitReason {
  /** Ran the full {@code maxSteps}. */
  @JsonProperty("budget")
  BUDGET,
  /** Relative latent-state change fell below {@code exitStateDelta}. */
  @JsonProperty("state_delta")
  STATE_DELTA,
  /** KL divergence of successive output distributions fell below {@code exitKl}. */
  @JsonProperty("kl")
  KL
}
