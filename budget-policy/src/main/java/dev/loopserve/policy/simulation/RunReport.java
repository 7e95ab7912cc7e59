package dev.loopserve.policy.simulation;

import dev.loopserve.policy.PriorityClass;
import java.util.Map;

/**
 * What one policy achieved on one trace.
 *
 * @param policy policy name
 * @param trace trace name
 * @param requests requests in the trace
 * @param metShare share of requests that finished within their class's latency target
 * @param metShareByClass the same per class (NaN for a class with no requests)
 * @param p50Millis median latency from arrival to completion, ms of simulated time
 * @param p95Millis 95th percentile latency, ms
 * @param p99Millis 99th percentile latency, ms
 * @param meanSteps mean budget r
 * @param expectedAccuracy mean over requests of accuracy(r) from the model's eval curve
 * @param degradedShare share of decisions marked degraded
 * @param medianDesiredReplicas median of the replica counts the policy asked the autoscaler for,
 *     sampled once a simulated second while arrivals last
 * @param peakDesiredReplicas the most it asked for (the first seconds run on conservative step-time
 *     figures, see {@code StepTimeCurve})
 */
public record RunReport(
    String policy,
    String trace,
    int requests,
    double metShare,
    Map<PriorityClass, Double> metShareByClass,
    double p50Millis,
    double p95Millis,
    double p99Millis,
    double meanSteps,
    double expectedAccuracy,
    double degradedShare,
    int medianDesiredReplicas,
    int peakDesiredReplicas) {

  public RunReport {
    metShareByClass = Map.copyOf(metShareByClass);
  }
}
