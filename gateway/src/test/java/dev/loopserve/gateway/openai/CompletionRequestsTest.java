package dev.loopserve.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loopserve.gateway.prompt.SubmitPromptRequest;
import dev.loopserve.messages.Priority;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

class CompletionRequestsTest {

  // As the application configures it (spring.jackson.property-naming-strategy).
  private final JsonMapper json =
      JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

  @Test
  void mapsOpenAiFieldsAndLoopserveExtrasOntoAPromptRequest() {
    SubmitPromptRequest p =
        map(
            """
            {"model":"m","prompt":"a=3;a?","max_tokens":4,"temperature":0.5,"top_p":0.9,
             "stop":["\\n",";"],"seed":7,"stream":false,"user":"someone",
             "n":1,"best_of":1,"echo":false,"presence_penalty":0,"frequency_penalty":0.0,
             "logit_bias":{},"suffix":"",
             "recurrence":{"min_steps":2,"max_steps":8,"exit_kl":0.01,"warm_start":true},
             "top_k":5,"priority":"interactive","latency_target_ms":250}
            """);

    assertThat(p)
        .isEqualTo(
            new SubmitPromptRequest(
                "m",
                "a=3;a?",
                4,
                new SubmitPromptRequest.Recurrence(2, 8, null, 0.01, true),
                0.5,
                0.9,
                5,
                7L,
                List.of("\n", ";"),
                Priority.INTERACTIVE,
                250L,
                null,
                null));
  }

  @Test
  void aPromptMayBeAnArrayOfOneStringAndStopASingleString() {
    SubmitPromptRequest p = map("{\"model\":\"m\",\"prompt\":[\"x?\"],\"stop\":\";\"}");

    assertThat(p.prompt()).isEqualTo("x?");
    assertThat(p.stop()).containsExactly(";");
    assertThat(p.maxTokens()).as("the gateway's default applies").isNull();
  }

  @Test
  void promptsThatAreNotOneTextAreRefusedWithTheReason() {
    assertInvalid("{\"model\":\"m\"}", "prompt is required");
    assertInvalid("{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}", "array of 2 prompts");
    assertInvalid("{\"model\":\"m\",\"prompt\":[1,2,3]}", "token ids is not supported");
    assertInvalid("{\"model\":\"m\",\"prompt\":[[1,2]]}", "token ids is not supported");
    assertInvalid("{\"model\":\"m\",\"prompt\":7}", "prompt must be a string");
    assertInvalid("{\"model\":\"m\",\"prompt\":\"  \"}", "prompt must not be blank");
    assertInvalid("{\"model\":\"m\",\"prompt\":\"a\",\"stop\":[1]}", "stop must be a string");
  }

  @Test
  void openAiFeaturesLoopserveLacksAreRefusedUnlessLeftAtTheirDefaults() {
    ErrorResponseException e =
        refused(
            """
            {"model":"m","prompt":"a","n":2,"best_of":3,"echo":true,"logprobs":1,"suffix":"z",
             "presence_penalty":0.5,"frequency_penalty":-1,"logit_bias":{"50256":-100}}
            """);

    assertThat(e.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(e.getBody().getType().toString()).endsWith("/unsupported-parameter");
    assertThat(e.getBody().getProperties())
        .containsEntry(
            "params",
            List.of(
                "n",
                "best_of",
                "echo",
                "logprobs",
                "suffix",
                "presence_penalty",
                "frequency_penalty",
                "logit_bias"));
    assertThat(e.getBody().getDetail())
        .contains("n must be 1")
        .contains("logprobs is not supported");
  }

  @Test
  void fieldsOutsideTheApiAreRefusedByName() {
    ErrorResponseException e =
        refused("{\"model\":\"m\",\"prompt\":\"a\",\"min_steps\":4,\"foo\":{\"x\":1}}");

    assertThat(e.getBody().getType().toString()).endsWith("/invalid-request");
    assertThat(e.getBody().getDetail()).startsWith("Unknown field(s) foo, min_steps:");
  }

  @Test
  void streamOptionsNeedStreaming() {
    assertInvalid(
        "{\"model\":\"m\",\"prompt\":\"a\",\"stream_options\":{\"include_usage\":true}}",
        "stream_options is only allowed with stream: true");
    CompletionRequest streaming =
        json.readValue(
            "{\"model\":\"m\",\"prompt\":\"a\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}",
            CompletionRequest.class);
    CompletionRequests.toPrompt(streaming);
    assertThat(streaming.streaming()).isTrue();
    assertThat(streaming.includeUsage()).isTrue();
  }

  private SubmitPromptRequest map(String body) {
    return CompletionRequests.toPrompt(json.readValue(body, CompletionRequest.class));
  }

  private ErrorResponseException refused(String body) {
    CompletionRequest request = json.readValue(body, CompletionRequest.class);
    return catchThrowableOfType(
        ErrorResponseException.class, () -> CompletionRequests.toPrompt(request));
  }

  private void assertInvalid(String body, String detailPart) {
    ErrorResponseException e = refused(body);
    assertThat(e).as(body).isNotNull();
    assertThat(e.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(e.getBody().getDetail()).as(body).contains(detailPart);
  }
}
