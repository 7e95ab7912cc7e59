package dev.loopserve.inference.runtime;

import java.util.List;

/**
 * The outcome of a request.
 *
 * @param tokenIds generated ids, {@code <eos>} excluded
 * @param text decoded completion, cut before a matched stop sequence
 * @param stepsPerToken core applications per decoding step; one more entry than {@code tokenIds}
 *     when the last step produced {@code <eos>}
 * @param exitReasons why each decoding step stopped recurring, aligned with {@code stepsPerToken}
 * @param finishReason null unless {@code status} is {@link Status#COMPLETED}
 * @param computeNanos graph time spent on this request; a batched call is shared among its rows in
 *     proportion to their sequence lengths
 * @param error what went wrong when {@code status} is {@link Status#FAILED}
 */
public record GenerationResult(
    Status status,
    long[] tokenIds,
    String text,
    int[] stepsPerToken,
    List<ExitReason> exitReasons,
    FinishReason finishReason,
    long computeNanos,
    String error) {

  /** How a request ended. */
  public enum Status {
    COMPLETED,
    CANCELLED,
    FAILED
  }
}
