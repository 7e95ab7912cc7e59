package dev.loopserve.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * The policy's answer for one request.
 *
 * @param budget what the runtime gets
 * @param policyVersion identifies the policy and its configuration, for the record on the request
 * @param predictedLatency predicted time from submission to completion at this budget
 * @param degraded true when even the smallest allowed budget is predicted to miss the target, so
 *     the request was given that smallest budget
 * @param reason why this budget was chosen
 * @param workSteps fleet work this request is expected to cost, in step units (see {@link
 *     CostModel}); report it to {@link LoadTracker#assigned}
 * @param defaultWorkSteps the work the same request would cost at the model's default budget; the
 *     autoscaler sizes the fleet on it
 */
public record Decision(
    Budget budget,
    String policyVersion,
    Duration predictedLatency,
    boolean degraded,
    Reason reason,
    double workSteps,
    double defaultWorkSteps) {

  public Decision {
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(policyVersion, "policyVersion");
    Objects.requireNonNull(predictedLatency, "predictedLatency");
    Objects.requireNonNull(reason, "reason");
  }

  /** The chosen r. */
  public int steps() {
    return budget.maxSteps();
  }

  /** Why a budget was chosen. */
  public enum Reason {
    /** No live worker has reported yet: manifest default with a conservative capacity guess. */
    COLD_START,
    /** The largest budget that meets the target with the safety margin. */
    FITS,
    /** A larger budget would fit, but hysteresis keeps the previous one for now. */
    HELD,
    /** Capped at what a more important class gets for the same queue. */
    PRIORITY_CAP,
    /** Even the smallest allowed budget is predicted to miss the target. */
    OVERLOAD,
    /** A fixed-budget policy (baseline). */
    FIXED
  }
}
