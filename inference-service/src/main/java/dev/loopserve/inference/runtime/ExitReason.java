package dev.loopserve.inference.runtime;

/** Why the recurrence loop of one token stopped. */
public enum ExitReason {
  /** Ran {@code maxSteps}. */
  BUDGET,
  /** Relative change of the last position's latent state fell below the threshold. */
  STATE_DELTA,
  /** KL divergence between successive next-token distributions fell below the threshold. */
  KL
}
