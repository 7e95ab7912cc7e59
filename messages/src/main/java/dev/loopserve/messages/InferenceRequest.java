package dev.loopserve.messages;

import static dev.loopserve.messages.SchemaVersion.required;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A scheduled request for one model ({@code loopserve.requests.<model>}, keyed by request id).
 *
 * @param submittedAt epoch ms at which the gateway accepted the prompt
 * @param scheduledAt epoch ms at which the scheduler assigned the budget
 * @param policyVersion version of the policy that chose the budget
 * @param predictedLatencyMs the scheduler's prediction of wait plus service time
 * @param degraded true when the budget was cut below what the request asked for because of load
 * @param deadline epoch ms after which the worker should answer {@code expired}, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record InferenceRequest(
    int schemaVersion,
    String requestId,
    String tenant,
    String model,
    String prompt,
    int maxTokens,
    long submittedAt,
    long scheduledAt,
    Sampling sampling,
    Budget budget,
    long policyVersion,
    long predictedLatencyMs,
    boolean degraded,
    Priority priority,
    Long deadline) {

  public InferenceRequest {
    SchemaVersion.check(schemaVersion);
    required(requestId, "requestId");
    required(model, "model");
    required(prompt, "prompt");
    required(budget, "budget");
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, was " + maxTokens);
    }
    sampling = sampling == null ? Sampling.GREEDY : sampling;
    priority = priority == null ? Priority.STANDARD : priority;
  }

  public InferenceRequest(
      String requestId,
      String tenant,
      String model,
      String prompt,
      int maxTokens,
      long submittedAt,
      long scheduledAt,
      Sampling sampling,
      Budget budget,
      long policyVersion,
      long predictedLatencyMs,
      boolean degraded,
      Priority priority,
      Long deadline) {
    this(
        SchemaVersion.CURRENT,
        requestId,
        tenant,
        model,
        prompt,
        maxTokens,
        submittedAt,
        scheduledAt,
        sampling,
        budget,
        policyVersion,
        predictedLatencyMs,
        degraded,
        priority,
        deadline);
  }
}
