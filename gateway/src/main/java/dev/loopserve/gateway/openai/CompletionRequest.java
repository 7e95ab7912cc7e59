package dev.loopserve.gateway.openai;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import dev.loopserve.gateway.prompt.SubmitPromptRequest;
import dev.loopserve.messages.Priority;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Body of {@code POST /v1/completions}: every field of OpenAI's (legacy) Completions API, plus
 * loopserve's extras. Which values loopserve can honour is decided by {@link CompletionRequests}.
 *
 * @param prompt a string, or an array holding one string
 * @param stop a string or an array of strings
 * @param user accepted and ignored, as OpenAI-compatible servers do
 * @param recurrence loopserve: recurrence bounds per token, as in {@code POST /v1/prompts}
 * @param topK loopserve: sample among the k most likely tokens
 * @param priority loopserve: how urgently the answer is wanted, for the scheduler
 * @param latencyTargetMs loopserve: end-to-end latency wanted, for the scheduler
 * @param unknown every other field, collected so it can be refused by name
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record CompletionRequest(
    @NotBlank String model,
    @Schema(description = "a string, or an array of one string") JsonNode prompt,
    @Positive Integer maxTokens,
    @PositiveOrZero Double temperature,
    @DecimalMin(value = "0", inclusive = false) Double topP,
    @Schema(description = "a string, or an array of strings") JsonNode stop,
    Long seed,
    Boolean stream,
    @Valid StreamOptions streamOptions,
    String user,
    @Schema(description = "only 1") Integer n,
    @Schema(description = "only 1") Integer bestOf,
    @Schema(description = "only false") Boolean echo,
    @Schema(description = "unsupported: leave out") Integer logprobs,
    @Schema(description = "unsupported: leave out") String suffix,
    @Schema(description = "only 0") Double presencePenalty,
    @Schema(description = "only 0") Double frequencyPenalty,
    @Schema(description = "only empty") Map<String, Object> logitBias,
    @Valid SubmitPromptRequest.Recurrence recurrence,
    @PositiveOrZero Integer topK,
    Priority priority,
    @Positive Long latencyTargetMs,
    @Schema(hidden = true) @JsonAnySetter Map<String, Object> unknown) {

  /**
   * @param includeUsage send a chunk with the token usage before {@code [DONE]}
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record StreamOptions(Boolean includeUsage) {}

  boolean streaming() {
    return Boolean.TRUE.equals(stream);
  }

  boolean includeUsage() {
    return streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
  }
}
