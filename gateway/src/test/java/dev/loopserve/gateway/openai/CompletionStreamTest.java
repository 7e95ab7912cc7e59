package dev.loopserve.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.ExitReason;
import dev.loopserve.messages.FinishReason;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.TokenEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Events are queued before writing starts, so each test writes a whole stream without waiting. */
class CompletionStreamTest {

  private final JsonMapper json = JsonMapper.builder().build();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @Test
  void writesOneChunkPerTokenThenTheFinishReasonThenDone() throws Exception {
    CompletionStream stream = new CompletionStream(json, "p1", "m", 17L, 5, false);
    stream.token(token(0, "4"));
    stream.token(token(1, "2"));
    stream.finished(result("42", FinishReason.EOS, 2));

    stream.writeTo(out, Duration.ofMinutes(1));

    assertThat(events())
        .containsExactly(
            "{\"id\":\"p1\",\"object\":\"text_completion\",\"created\":17,\"model\":\"m\","
                + "\"choices\":[{\"text\":\"4\",\"index\":0,\"logprobs\":null,"
                + "\"finish_reason\":null}]}",
            "{\"id\":\"p1\",\"object\":\"text_completion\",\"created\":17,\"model\":\"m\","
                + "\"choices\":[{\"text\":\"2\",\"index\":0,\"logprobs\":null,"
                + "\"finish_reason\":null}]}",
            "{\"id\":\"p1\",\"object\":\"text_completion\",\"created\":17,\"model\":\"m\","
                + "\"choices\":[{\"text\":\"\",\"index\":0,\"logprobs\":null,"
                + "\"finish_reason\":\"stop\"}]}",
            "[DONE]");
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("data: {").endsWith("\n\n");
  }

  @Test
  void sendsTheUsageChunkWhenAskedAndReportsLength() throws Exception {
    CompletionStream stream = new CompletionStream(json, "p1", "m", 17L, 5, true);
    stream.token(token(0, "4"));
    stream.finished(result("4", FinishReason.LENGTH, 1));

    stream.writeTo(out, Duration.ofMinutes(1));

    List<String> events = events();
    assertThat(events).hasSize(4);
    assertThat(events.get(1)).contains("\"finish_reason\":\"length\"");
    assertThat(events.get(2))
        .isEqualTo(
            "{\"id\":\"p1\",\"object\":\"text_completion\",\"created\":17,\"model\":\"m\","
                + "\"choices\":[],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}");
    assertThat(events.get(3)).isEqualTo("[DONE]");
  }

  @Test
  void textWhoseTokensHaveNotArrivedIsSentBeforeTheEnd() throws Exception {
    CompletionStream stream = new CompletionStream(json, "p1", "m", 17L, 5, false);
    stream.token(token(0, "1"));
    stream.finished(result("123", FinishReason.EOS, 3));

    stream.writeTo(out, Duration.ofMinutes(1));

    assertThat(events().get(1)).contains("\"text\":\"23\"");
    assertThat(events()).hasSize(4);
  }

  @Test
  void aFailedPromptEndsTheStreamWithAnOpenAiErrorEvent() throws Exception {
    CompletionStream stream = new CompletionStream(json, "p1", "m", 17L, 5, false);
    stream.finished(
        new InferenceResult(
            "p1",
            "t",
            "m",
            InferenceResult.Status.FAILED,
            "",
            List.of(),
            List.of(),
            List.of(),
            null,
            null,
            null,
            0L,
            "w1",
            "out of memory"));

    stream.writeTo(out, Duration.ofMinutes(1));

    assertThat(events())
        .singleElement()
        .satisfies(
            e ->
                assertThat(json.readTree(e).get("error").properties())
                    .extracting(Map.Entry::getKey)
                    .containsExactly("message", "type", "param", "code", "prompt_id"))
        .asString()
        .contains("\"type\":\"generation-failed\"")
        .contains("out of memory")
        .contains("\"code\":\"502\"");
  }

  @Test
  void nothingWithinTheTimeoutEndsTheStreamWithATimeoutErrorNamingThePrompt() throws Exception {
    CompletionStream stream = new CompletionStream(json, "p1", "m", 17L, 5, false);
    stream.token(token(0, "4"));

    stream.writeTo(out, Duration.ofMillis(1));

    assertThat(events()).hasSize(2);
    assertThat(events().get(1))
        .contains("\"type\":\"completion-timeout\"")
        .contains("GET /v1/prompts/p1")
        .contains("\"prompt_id\":\"p1\"");
  }

  private List<String> events() {
    String body = out.toString(StandardCharsets.UTF_8);
    return List.of(body.split("\n\n")).stream()
        .peek(e -> assertThat(e).startsWith("data: "))
        .map(e -> e.substring("data: ".length()))
        .toList();
  }

  private static TokenEvent token(int index, String text) {
    return new TokenEvent("p1", index, 10L + index, text, 4, ExitReason.BUDGET, 5L);
  }

  private static InferenceResult result(String text, FinishReason reason, int tokens) {
    return new InferenceResult(
        "p1",
        "t",
        "m",
        InferenceResult.Status.SUCCEEDED,
        text,
        Collections.nCopies(tokens, 9L),
        Collections.nCopies(tokens, 4),
        Collections.nCopies(tokens, ExitReason.BUDGET),
        reason,
        null,
        null,
        0L,
        "w1",
        null);
  }
}
