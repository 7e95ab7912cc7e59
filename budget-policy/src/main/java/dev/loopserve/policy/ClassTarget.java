package dev.loopserve.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * A priority class's default latency target and the share of it the policy keeps in reserve.
 *
 * @param latencyTarget end-to-end target from submission, used when a request sets none
 * @param safetyMargin fraction of the target kept free for prediction error, in [0, 1): the policy
 *     plans to finish within target * (1 - safetyMargin)
 */
public record ClassTarget(Duration latencyTarget, double safetyMargin) {

  public ClassTarget {
    Objects.requireNonNull(latencyTarget, "latencyTarget");
    if (latencyTarget.isNegative() || latencyTarget.isZero()) {
      throw new IllegalArgumentException("latencyTarget must be positive");
    }
    if (!(safetyMargin >= 0 && safetyMargin < 1)) {
      throw new IllegalArgumentException("safetyMargin must be in [0, 1)");
    }
  }
}
