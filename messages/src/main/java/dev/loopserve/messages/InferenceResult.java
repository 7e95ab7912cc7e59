package dev.loopserve.messages;

import static dev.loopserve.messages.SchemaVersion.required;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The final word on a request ({@code loopserve.results}, compacted, keyed by request id).
 *
 * @param text the generated text, without the end-of-sequence token
 * @param tokenIds generated token ids, {@code <eos>} excluded
 * @param stepsPerToken recurrences actually run for each generated token
 * @param exitReasons why each token's recurrence loop stopped
 * @param finishReason why generation stopped, or null when it did not finish (failed, cancelled)
 * @param computeNanos time spent running the model graphs for this request, in nanoseconds
 *     (excludes queueing and Kafka), so the suite's overhead is end-to-end minus this
 * @param error a human-readable reason when {@code status} is {@code failed}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record InferenceResult(
    int schemaVersion,
    String requestId,
    String tenant,
    String model,
    Status status,
    String text,
    List<Long> tokenIds,
    List<Integer> stepsPerToken,
    List<ExitReason> exitReasons,
    FinishReason finishReason,
    Budget budget,
    Timings timings,
    long computeNanos,
    String workerId,
    String error) {

  /** Terminal states. */
  public enum Status {
    @JsonProperty("succeeded")
    SUCCEEDED,
    @JsonProperty("failed")
    FAILED,
    @JsonProperty("expired")
    EXPIRED,
    @JsonProperty("cancelled")
    CANCELLED
  }

  public InferenceResult {
    SchemaVersion.check(schemaVersion);
    required(requestId, "requestId");
    required(status, "status");
    tokenIds = tokenIds == null ? List.of() : List.copyOf(tokenIds);
    stepsPerToken = stepsPerToken == null ? List.of() : List.copyOf(stepsPerToken);
    exitReasons = exitReasons == null ? List.of() : List.copyOf(exitReasons);
  }

  public InferenceResult(
      String requestId,
      String tenant,
      String model,
      Status status,
      String text,
      List<Long> tokenIds,
      List<Integer> stepsPerToken,
      List<ExitReason> exitReasons,
      FinishReason finishReason,
      Budget budget,
      Timings timings,
      long computeNanos,
      String workerId,
      String error) {
    this(
        SchemaVersion.CURRENT,
        requestId,
        tenant,
        model,
        status,
        text,
        tokenIds,
        stepsPerToken,
        exitReasons,
        finishReason,
        budget,
        timings,
        computeNanos,
        workerId,
        error);
  }
}
