package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.Priority;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.net.URI;
import java.time.Instant;
import java.util.List;

/**
 * Body of {@code POST /v1/prompts} (JSON in snake_case), and what other request shapes (the
 * OpenAI-compatible completions) are translated into before {@link PromptSubmission}.
 *
 * @param maxTokens tokens to generate at most; defaults to the gateway's default, clamped to the
 *     context left after the prompt
 * @param recurrence bounds on recurrences per token; the scheduler picks within them
 * @param latencyTargetMs end-to-end latency wanted, for the scheduler
 * @param deadline when the answer stops being useful (RFC 3339); the prompt expires unanswered
 *     after it, and is refused at once if the queue ahead cannot drain before it
 */
@Schema(description = "A prompt to queue. Unknown fields are refused.")
public record SubmitPromptRequest(
    @Schema(description = "Model to run; one of GET /v1/models", example = "loop-demo") @NotBlank
        String model,
    @Schema(
            description =
                "Text to continue; with max_tokens it must fit the model's max_context (tokens)",
            example = "a=3;b=a+4;c=b*2;c?")
        @NotBlank
        String prompt,
    @Schema(
            description =
                "Tokens to generate at most, >= 1; default loopserve.gateway.default-max-tokens"
                    + " (16) or what the context leaves, whichever is less",
            minimum = "1")
        @Positive
        Integer maxTokens,
    @Schema(description = "Recurrence bounds; default: the scheduler chooses from the load") @Valid
        Recurrence recurrence,
    @Schema(description = "Sampling temperature, >= 0; 0 (default) is greedy", minimum = "0")
        @PositiveOrZero
        Double temperature,
    @Schema(
            description = "Nucleus sampling mass, in (0, 1]; default 1",
            minimum = "0",
            exclusiveMinimum = true,
            maximum = "1")
        @DecimalMin(value = "0", inclusive = false)
        @DecimalMax("1")
        Double topP,
    @Schema(description = "Sample among the k likeliest tokens; 0 (default) is all", minimum = "0")
        @PositiveOrZero
        Integer topK,
    @Schema(description = "Seed for reproducible sampling; default: random") Long seed,
    @Schema(description = "Strings that end generation (not included in the text)")
        List<String> stop,
    @Schema(description = "Scheduling class; default standard") Priority priority,
    @Schema(
            description =
                "End-to-end latency wanted in ms, >= 1; default: the priority's target. The"
                    + " scheduler lowers the recurrence to meet it",
            minimum = "1")
        @Positive
        Long latencyTargetMs,
    @Schema(
            description =
                "RFC 3339 time after which the answer is useless: the prompt expires unanswered"
                    + " after it, and is refused at once (503) when the queue cannot drain before it")
        Instant deadline,
    @Schema(
            description =
                "Absolute http(s) URL to POST the final result to (the GET /v1/prompts/{id} body,"
                    + " header Loopserve-Prompt-Id), at least once; hosts may be restricted by"
                    + " loopserve.gateway.callbacks.allowed-hosts",
            example = "https://example.com/hooks/loopserve")
        URI callbackUrl) {

  /**
   * Recurrence bounds; a {@code min_steps} equal to {@code max_steps} forces that depth.
   *
   * @param exitStateDelta adaptive exit on relative state change; 0 disables it
   * @param exitKl adaptive exit on KL between successive distributions; 0 disables it
   */
  @Schema(description = "Bounds on recurrences per token, within the model's manifest range")
  public record Recurrence(
      @Schema(
              description =
                  "Fewest recurrences per token; within the model's range (loop-demo: 1..32)",
              minimum = "1")
          @Positive
          Integer minSteps,
      @Schema(
              description =
                  "Most recurrences per token; within the model's range (loop-demo: 1..32)",
              minimum = "1")
          @Positive
          Integer maxSteps,
      @Schema(
              description =
                  "Exit a token early when the relative state change falls below this; 0 disables;"
                      + " default: the model's manifest (loop-demo: 0.05)",
              minimum = "0")
          @PositiveOrZero
          Double exitStateDelta,
      @Schema(
              description =
                  "Exit a token early when the KL between successive output distributions falls"
                      + " below this; 0 disables; default: the model's manifest",
              minimum = "0")
          @PositiveOrZero
          Double exitKl,
      @Schema(description = "Start each token's state from the previous token's; default false")
          Boolean warmStart) {}
}
