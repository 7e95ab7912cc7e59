package dev.loopserve.gateway.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.loopserve.messages.FinishReason;
import dev.loopserve.messages.InferenceResult;
import java.util.List;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * OpenAI's {@code text_completion} object: the body of a finished completion, and each chunk of a
 * streamed one. Names are fixed here (snake_case) so the wire format does not depend on how the
 * application's mapper is configured.
 *
 * @param id the loopserve prompt id, which {@code GET /v1/prompts/{id}} also answers for
 * @param created epoch seconds at which the prompt was submitted
 * @param usage token counts; absent from streamed chunks except the usage chunk
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record Completion(
    String id,
    String object,
    long created,
    String model,
    List<Choice> choices,
    @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {

  static final String OBJECT = "text_completion";

  /**
   * @param logprobs always null: log probabilities are not reported
   * @param finishReason {@code stop} (end of sequence or a stop sequence) or {@code length}; null
   *     in streamed chunks before the last
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record Choice(String text, int index, Object logprobs, String finishReason) {}

  /**
   * @param promptTokens tokens the prompt occupies, {@code <bos>} included
   * @param completionTokens tokens generated, {@code <eos>} excluded
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Usage(int promptTokens, int completionTokens, int totalTokens) {

    static Usage of(int promptTokens, InferenceResult result) {
      int completionTokens = result.tokenIds().size();
      return new Usage(promptTokens, completionTokens, promptTokens + completionTokens);
    }
  }

  /** The whole answer of a successful prompt. */
  static Completion finished(
      String id, String model, long created, int promptTokens, InferenceResult result) {
    String text = result.text() == null ? "" : result.text();
    return new Completion(
        id,
        OBJECT,
        created,
        model,
        List.of(new Choice(text, 0, null, finishReason(result.finishReason()))),
        Usage.of(promptTokens, result));
  }

  /** A streamed piece of text; {@code finishReason} is null except on the last. */
  static Completion chunk(String id, String model, long created, String text, String finishReason) {
    return new Completion(
        id, OBJECT, created, model, List.of(new Choice(text, 0, null, finishReason)), null);
  }

  /** The streamed usage report: no choices, only the counts. */
  static Completion usageChunk(String id, String model, long created, Usage usage) {
    return new Completion(id, OBJECT, created, model, List.of(), usage);
  }

  /**
   * OpenAI has no separate reason for the end-of-sequence token: it and a stop sequence are both
   * {@code stop}.
   */
  static String finishReason(FinishReason reason) {
    return reason == FinishReason.LENGTH ? "length" : "stop";
  }
}
