package dev.loopserve.policy;

/**
 * Per-token adaptive-exit thresholds, passed through to the runtime untouched; 0 disables a
 * criterion.
 *
 * @param stateDelta exit when ||s_i - s_(i-1)|| / ||s_i|| falls below this (dimensionless)
 * @param kl exit when KL(p_i || p_(i-1)) falls below this (nats)
 */
public record ExitThresholds(double stateDelta, double kl) {

  public ExitThresholds {
    if (!(stateDelta >= 0)
        || !(kl >= 0)
        || Double.isInfinite(stateDelta)
        || Double.isInfinite(kl)) {
      throw new IllegalArgumentException("exit thresholds must be finite and >= 0");
    }
  }

  public static ExitThresholds disabled() {
    return new ExitThresholds(0, 0);
  }
}
