package dev.loopserve.inference.runtime;

import dev.loopserve.inference.model.ModelManifest;
import java.util.Objects;

/**
 * One prompt to complete.
 *
 * @param id request id, for logs
 * @param promptIds token ids including the leading {@code <bos>}
 * @param maxTokens most tokens to generate, {@code <eos>} included
 * @param stateInit how s_0 is drawn; usually the manifest's
 * @param seed seeds both the random initial state and sampling, so a redelivered request reproduces
 *     its answer and a request's output does not depend on what it was batched with
 */
public record GenerationRequest(
    String id,
    long[] promptIds,
    int maxTokens,
    RecurrencePlan recurrence,
    SamplingPlan sampling,
    ModelManifest.StateInit stateInit,
    long seed) {

  public GenerationRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(promptIds, "promptIds");
    Objects.requireNonNull(recurrence, "recurrence");
    Objects.requireNonNull(sampling, "sampling");
    Objects.requireNonNull(stateInit, "stateInit");
    if (promptIds.length == 0) {
      throw new IllegalArgumentException("empty prompt");
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, was " + maxTokens);
    }
  }
}
