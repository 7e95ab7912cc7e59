package dev.loopserve.messages;

import static dev.loopserve.messages.SchemaVersion.required;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A prompt accepted by the gateway ({@code loopserve.prompts}, keyed by request id).
 *
 * @param submittedAt epoch milliseconds at which the gateway accepted the prompt
 * @param latencyTargetMs end-to-end latency the client wants, or null for the priority's default
 * @param deadline epoch milliseconds after which the answer is useless, or null
 * @param callbackUrl absolute http(s) URL the gateway POSTs the final result to, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record PromptSubmitted(
    int schemaVersion,
    String requestId,
    String tenant,
    String model,
    String prompt,
    int maxTokens,
    long submittedAt,
    Sampling sampling,
    RecurrenceRequest recurrence,
    Priority priority,
    Long latencyTargetMs,
    Long deadline,
    String callbackUrl) {

  public PromptSubmitted {
    SchemaVersion.check(schemaVersion);
    required(requestId, "requestId");
    required(model, "model");
    required(prompt, "prompt");
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, was " + maxTokens);
    }
    sampling = sampling == null ? Sampling.GREEDY : sampling;
    recurrence = recurrence == null ? RecurrenceRequest.NONE : recurrence;
    priority = priority == null ? Priority.STANDARD : priority;
  }

  public PromptSubmitted(
      String requestId,
      String tenant,
      String model,
      String prompt,
      int maxTokens,
      long submittedAt,
      Sampling sampling,
      RecurrenceRequest recurrence,
      Priority priority,
      Long latencyTargetMs,
      Long deadline) {
    this(
        requestId,
        tenant,
        model,
        prompt,
        maxTokens,
        submittedAt,
        sampling,
        recurrence,
        priority,
        latencyTargetMs,
        deadline,
        null);
  }

  public PromptSubmitted(
      String requestId,
      String tenant,
      String model,
      String prompt,
      int maxTokens,
      long submittedAt,
      Sampling sampling,
      RecurrenceRequest recurrence,
      Priority priority,
      Long latencyTargetMs,
      Long deadline,
      String callbackUrl) {
    this(
        SchemaVersion.CURRENT,
        requestId,
        tenant,
        model,
        prompt,
        maxTokens,
        submittedAt,
        sampling,
        recurrence,
        priority,
        latencyTargetMs,
        deadline,
        callbackUrl);
  }
}
