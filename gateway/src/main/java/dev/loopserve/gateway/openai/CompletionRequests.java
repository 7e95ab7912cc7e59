package dev.loopserve.gateway.openai;

import dev.loopserve.gateway.prompt.SubmitPromptRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Translates an OpenAI completion request into loopserve's prompt request, or says why it cannot:
 * fields outside the API are refused by name; OpenAI features loopserve lacks are refused unless
 * they ask for the default (so clients that always send {@code n: 1} or {@code presence_penalty: 0}
 * work); {@code user} is ignored.
 */
final class CompletionRequests {

  private CompletionRequests() {}

  /**
   * @throws org.springframework.web.ErrorResponseException 400 saying what to change
   */
  static SubmitPromptRequest toPrompt(CompletionRequest r) {
    Map<String, Object> unknown = r.unknown();
    if (unknown != null && !unknown.isEmpty()) {
      throw OpenAiProblems.unknownFields(unknown.keySet().stream().sorted().toList());
    }
    rejectUnsupported(r);
    if (r.streamOptions() != null && !r.streaming()) {
      throw OpenAiProblems.invalid("stream_options is only allowed with stream: true");
    }
    return new SubmitPromptRequest(
        r.model(),
        prompt(r.prompt()),
        r.maxTokens(),
        r.recurrence(),
        r.temperature(),
        r.topP(),
        r.topK(),
        r.seed(),
        stop(r.stop()),
        r.priority(),
        r.latencyTargetMs(),
        null,
        null);
  }

  private static void rejectUnsupported(CompletionRequest r) {
    List<String> reasons = new ArrayList<>();
    List<String> params = new ArrayList<>();
    if (r.n() != null && r.n() != 1) {
      params.add("n");
      reasons.add("n must be 1: one choice per request (send several requests for more)");
    }
    if (r.bestOf() != null && r.bestOf() != 1) {
      params.add("best_of");
      reasons.add("best_of must be 1: candidates are not generated server-side");
    }
    if (Boolean.TRUE.equals(r.echo())) {
      params.add("echo");
      reasons.add("echo is not supported: the prompt is not repeated in the text");
    }
    if (r.logprobs() != null) {
      params.add("logprobs");
      reasons.add("logprobs is not supported: leave it out");
    }
    if (r.suffix() != null && !r.suffix().isEmpty()) {
      params.add("suffix");
      reasons.add("suffix is not supported: the model does not fill in text");
    }
    if (r.presencePenalty() != null && r.presencePenalty() != 0) {
      params.add("presence_penalty");
      reasons.add("presence_penalty is not supported: leave it out or send 0");
    }
    if (r.frequencyPenalty() != null && r.frequencyPenalty() != 0) {
      params.add("frequency_penalty");
      reasons.add("frequency_penalty is not supported: leave it out or send 0");
    }
    if (r.logitBias() != null && !r.logitBias().isEmpty()) {
      params.add("logit_bias");
      reasons.add("logit_bias is not supported: leave it out or send {}");
    }
    if (!params.isEmpty()) {
      throw OpenAiProblems.unsupported(reasons, params);
    }
  }

  private static String prompt(JsonNode prompt) {
    if (prompt == null || prompt.isNull() || prompt.isMissingNode()) {
      throw OpenAiProblems.invalid("prompt is required: a string, or an array of one string");
    }
    JsonNode text = prompt;
    if (prompt.isArray()) {
      if (!prompt.isEmpty() && (prompt.get(0).isNumber() || prompt.get(0).isArray())) {
        throw OpenAiProblems.invalid(
            "prompt as token ids is not supported; send the prompt text as a string");
      }
      if (prompt.size() != 1) {
        throw OpenAiProblems.invalid(
            "prompt is an array of "
                + prompt.size()
                + " prompts; send one prompt per request (a string, or an array of one string)");
      }
      text = prompt.get(0);
    }
    if (!text.isString()) {
      throw OpenAiProblems.invalid("prompt must be a string, or an array of one string");
    }
    if (text.asString().isBlank()) {
      throw OpenAiProblems.invalid("prompt must not be blank");
    }
    return text.asString();
  }

  private static List<String> stop(JsonNode stop) {
    if (stop == null || stop.isNull() || stop.isMissingNode()) {
      return null;
    }
    if (stop.isString()) {
      return List.of(stop.asString());
    }
    if (stop.isArray()) {
      List<String> sequences = new ArrayList<>();
      for (JsonNode s : stop) {
        if (!s.isString()) {
          throw OpenAiProblems.invalid("stop must be a string or an array of strings");
        }
        sequences.add(s.asString());
      }
      return sequences;
    }
    throw OpenAiProblems.invalid("stop must be a string or an array of strings");
  }
}
