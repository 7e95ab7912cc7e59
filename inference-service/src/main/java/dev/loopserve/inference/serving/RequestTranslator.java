package dev.loopserve.inference.serving;

import dev.loopserve.inference.model.LoadedModel;
import dev.loopserve.inference.runtime.GenerationRequest;
import dev.loopserve.inference.runtime.RecurrencePlan;
import dev.loopserve.inference.runtime.SamplingPlan;
import dev.loopserve.messages.Budget;
import dev.loopserve.messages.InferenceRequest;
import dev.loopserve.messages.Sampling;
import java.nio.charset.StandardCharsets;

/** Turns a Kafka {@link InferenceRequest} into what the runtime executes for one model. */
final class RequestTranslator {

  private RequestTranslator() {}

  /**
   * @throws IllegalArgumentException when the request cannot run on this model (the message is the
   *     {@code error} of the failed result)
   */
  static GenerationRequest translate(InferenceRequest request, LoadedModel model) {
    Budget budget = request.budget();
    var m = model.manifest();
    if (budget.maxSteps() > m.recurrence().max()) {
      throw new IllegalArgumentException(
          "budget maxSteps "
              + budget.maxSteps()
              + " exceeds the model's recurrence max "
              + m.recurrence().max());
    }
    var recurrence =
        new RecurrencePlan(
            budget.minSteps(),
            budget.maxSteps(),
            budget.exitStateDelta(),
            budget.exitKl(),
            budget.warmStart());
    Sampling s = request.sampling();
    var sampling =
        new SamplingPlan(
            s.temperature() == null ? 0 : s.temperature(),
            s.topK() == null ? 0 : s.topK(),
            s.topP() == null ? 1 : s.topP(),
            s.stop());
    long seed = s.seed() != null ? s.seed() : seedOf(request.requestId());
    return new GenerationRequest(
        request.requestId(),
        model.tokenizer().encode(request.prompt()),
        request.maxTokens(),
        recurrence,
        sampling,
        m.stateInit(),
        seed);
  }

  /**
   * A seed derived from the request id (64-bit FNV-1a), so a redelivered request reproduces the
   * same answer on any worker.
   */
  static long seedOf(String requestId) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : requestId.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }
}
