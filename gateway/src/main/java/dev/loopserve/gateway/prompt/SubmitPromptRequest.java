package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.Priority;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.util.List;

/**
 * Body of {@code POST /v1/prompts} (JSON in snake_case), and what other request shapes (the
 * OpenAI-compatible completions) are translated into before {@link PromptSubmission}.
 *
 * @param maxTokens tokens to generate at most; defaults to the gateway's default, clamped to the
 *     context left after the prompt
 * @param recurrence bounds on recurrences per token; the scheduler picks within them
 * @param latencyTargetMs end-to-end latency wanted, for the scheduler
 */
public record SubmitPromptRequest(
    @NotBlank String model,
    @NotBlank String prompt,
    @Positive Integer maxTokens,
    @Valid Recurrence recurrence,
    @PositiveOrZero Double temperature,
    @DecimalMin(value = "0", inclusive = false) Double topP,
    @PositiveOrZero Integer topK,
    Long seed,
    List<String> stop,
    Priority priority,
    @Positive Long latencyTargetMs) {

  /**
   * Recurrence bounds; a {@code min_steps} equal to {@code max_steps} forces that depth.
   *
   * @param exitStateDelta adaptive exit on relative state change; 0 disables it
   * @param exitKl adaptive exit on KL between successive distributions; 0 disables it
   */
  public record Recurrence(
      @Positive Integer minSteps,
      @Positive Integer maxSteps,
      @PositiveOrZero Double exitStateDelta,
      @PositiveOrZero Double exitKl,
      Boolean warmStart) {}
}
