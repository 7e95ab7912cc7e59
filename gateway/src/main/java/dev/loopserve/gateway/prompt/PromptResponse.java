package dev.loopserve.gateway.prompt;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.loopserve.messages.Budget;
import dev.loopserve.messages.ExitReason;
import dev.loopserve.messages.FinishReason;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.Timings;
import java.util.List;

/**
 * Body of {@code GET /v1/prompts/{id}}.
 *
 * @param stepsPerToken recurrences actually run for each generated token
 * @param computeNanos model compute time inside the inference service, in nanoseconds
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PromptResponse(
    String id,
    String model,
    PromptStatus status,
    String text,
    FinishReason finishReason,
    List<Integer> stepsPerToken,
    List<ExitReason> exitReasons,
    Budget budget,
    Timings timings,
    Long computeNanos,
    String workerId,
    String error) {

  static PromptResponse of(PromptView view) {
    InferenceResult r = view.result();
    if (r == null) {
      return new PromptResponse(
          view.id(),
          view.model(),
          view.status(),
          null,
          null,
          null,
          null,
          view.budget(),
          new Timings(view.submittedAt(), view.scheduledAt(), null, null),
          null,
          view.workerId(),
          null);
    }
    return new PromptResponse(
        view.id(),
        view.model(),
        view.status(),
        r.text(),
        r.finishReason(),
        r.stepsPerToken(),
        r.exitReasons(),
        view.budget(),
        r.timings(),
        r.computeNanos(),
        view.workerId(),
        r.error());
  }
}
