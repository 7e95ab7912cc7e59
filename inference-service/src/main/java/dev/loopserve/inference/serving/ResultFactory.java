package dev.loopserve.inference.serving;

import dev.loopserve.inference.runtime.GenerationResult;
import dev.loopserve.messages.ExitReason;
import dev.loopserve.messages.FinishReason;
import dev.loopserve.messages.InferenceRequest;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.Timings;
import java.util.Arrays;
import java.util.List;

/** Builds the {@link InferenceResult}s this worker publishes. */
final class ResultFactory {

  private final String workerId;

  ResultFactory(String workerId) {
    this.workerId = workerId;
  }

  InferenceResult fromGeneration(
      InferenceRequest request, GenerationResult result, long startedAt, long finishedAt) {
    InferenceResult.Status status =
        switch (result.status()) {
          case COMPLETED -> InferenceResult.Status.SUCCEEDED;
          case CANCELLED -> InferenceResult.Status.CANCELLED;
          case FAILED -> InferenceResult.Status.FAILED;
        };
    return new InferenceResult(
        request.requestId(),
        request.tenant(),
        request.model(),
        status,
        result.text(),
        Arrays.stream(result.tokenIds()).boxed().toList(),
        Arrays.stream(result.stepsPerToken()).boxed().toList(),
        result.exitReasons().stream().map(ResultFactory::exitReason).toList(),
        result.finishReason() == null ? null : finishReason(result.finishReason()),
        request.budget(),
        timings(request, startedAt, finishedAt),
        result.computeNanos(),
        workerId,
        result.error());
  }

  /** A terminal result for a request that was never computed. */
  InferenceResult withoutCompute(
      InferenceRequest request, InferenceResult.Status status, String error, long at) {
    return new InferenceResult(
        request.requestId(),
        request.tenant(),
        request.model(),
        status,
        "",
        List.of(),
        List.of(),
        List.of(),
        null,
        request.budget(),
        timings(request, null, at),
        0,
        workerId,
        error);
  }

  private static Timings timings(InferenceRequest request, Long startedAt, long finishedAt) {
    return new Timings(request.submittedAt(), request.scheduledAt(), startedAt, finishedAt);
  }

  static ExitReason exitReason(dev.loopserve.inference.runtime.ExitReason reason) {
    return switch (reason) {
      case BUDGET -> ExitReason.BUDGET;
      case STATE_DELTA -> ExitReason.STATE_DELTA;
      case KL -> ExitReason.KL;
    };
  }

  static FinishReason finishReason(dev.loopserve.inference.runtime.FinishReason reason) {
    return switch (reason) {
      case EOS -> FinishReason.EOS;
      case LENGTH -> FinishReason.LENGTH;
      case STOP -> FinishReason.STOP;
    };
  }
}
