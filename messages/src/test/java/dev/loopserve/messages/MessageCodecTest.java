package dev.loopserve.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class MessageCodecTest {

  private final MessageCodec codec = new MessageCodec();
  private final JsonMapper plain = JsonMapper.builder().build();

  private static final Budget BUDGET = new Budget(2, 8, 0.01, 0.0, true);

  @Test
  void everyRecordRoundTrips() {
    List<Object> messages =
        List.of(
            new PromptSubmitted(
                "r1",
                "acme",
                "loop-demo",
                "a=3;b=a+4;b?",
                4,
                1_700_000_000_000L,
                new Sampling(0.7, 0.9, 40, 7L, List.of("\n")),
                new RecurrenceRequest(2, 8, 0.01, null, true),
                Priority.INTERACTIVE,
                500L,
                1_700_000_009_000L),
            new InferenceRequest(
                "r1",
                "acme",
                "loop-demo",
                "a=3;b=a+4;b?",
                4,
                1L,
                2L,
                Sampling.GREEDY,
                BUDGET,
                3L,
                120L,
                true,
                Priority.BATCH,
                null),
            new StatusUpdate("r1", StatusUpdate.Status.RUNNING, 5L, BUDGET, "w-1"),
            new TokenEvent("r1", 0, 17L, "7", 6, ExitReason.STATE_DELTA, 9L),
            new InferenceResult(
                "r1",
                "acme",
                "loop-demo",
                InferenceResult.Status.SUCCEEDED,
                "7",
                List.of(17L),
                List.of(6),
                List.of(ExitReason.KL),
                FinishReason.EOS,
                BUDGET,
                new Timings(1L, 2L, 3L, 4L),
                123_456L,
                "w-1",
                null),
            new CancelRequest("r1", "acme", 11L),
            new WorkerHeartbeat("w-1", "loop-demo", 12L, 0.0021, 3, 16, 13, 4),
            new PolicySnapshot("loop-demo", 4L, 13L, 1, 32, 8, 2, Map.of("lag", 5)),
            DeadLetter.of(Topics.PROMPTS, 1, 42L, "r1", "bad", "{".getBytes(), 14L));

    for (Object message : messages) {
      Object back = codec.read(codec.write(message), message.getClass());
      assertThat(back).as(message.getClass().getSimpleName()).isEqualTo(message);
    }
  }

  @Test
  void wireFormatIsCamelCaseWithLowercaseEnumsAndSchemaVersion() {
    InferenceResult result =
        new InferenceResult(
            "r1",
            null,
            "loop-demo",
            InferenceResult.Status.SUCCEEDED,
            "7",
            List.of(17L),
            List.of(6),
            List.of(ExitReason.STATE_DELTA),
            FinishReason.EOS,
            Budget.fixed(4),
            new Timings(1L, 2L, 3L, 4L),
            99L,
            "w-1",
            null);

    JsonNode json = plain.readTree(codec.write(result));

    assertThat(json.get("schemaVersion").asInt()).isEqualTo(1);
    assertThat(json.get("requestId").asString()).isEqualTo("r1");
    assertThat(json.get("status").asString()).isEqualTo("succeeded");
    assertThat(json.get("finishReason").asString()).isEqualTo("eos");
    assertThat(json.get("exitReasons").get(0).asString()).isEqualTo("state_delta");
    assertThat(json.get("stepsPerToken").get(0).asInt()).isEqualTo(6);
    assertThat(json.get("computeNanos").asLong()).isEqualTo(99L);
    assertThat(json.get("budget").get("maxSteps").asInt()).isEqualTo(4);
    assertThat(json.get("timings").get("startedAt").asLong()).isEqualTo(3L);
    // Absent optional fields are omitted rather than written as null.
    assertThat(json.has("error")).isFalse();
    assertThat(json.has("tenant")).isFalse();
  }

  @Test
  void readsTheDocumentedPromptShapeAndDefaultsOptionalParts() {
    String json =
        """
        {"schemaVersion":1,"requestId":"r9","model":"loop-demo","prompt":"a=1;a?",
         "maxTokens":2,"submittedAt":5,"recurrence":{"minSteps":3,"maxSteps":3},
         "priority":"interactive","someFutureField":{"x":1}}
        """;

    PromptSubmitted prompt = codec.read(bytes(json), PromptSubmitted.class);

    assertThat(prompt.recurrence().minSteps()).isEqualTo(3);
    assertThat(prompt.recurrence().exitKl()).isNull();
    assertThat(prompt.priority()).isEqualTo(Priority.INTERACTIVE);
    assertThat(prompt.sampling()).isEqualTo(Sampling.GREEDY);
    assertThat(prompt.deadline()).isNull();
  }

  @Test
  void rejectsWhatIsNotAValidMessageWithAOneLineReason() {
    assertThatThrownBy(() -> codec.read(bytes("{not json"), PromptSubmitted.class))
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessageStartingWith("not a valid PromptSubmitted")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThatThrownBy(
            () ->
                codec.read(
                    bytes(
                        "{\"schemaVersion\":1,\"model\":\"m\",\"prompt\":\"p\",\"maxTokens\":1,\"submittedAt\":1}"),
                    PromptSubmitted.class))
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessageContaining("requestId is required");
    assertThatThrownBy(
            () ->
                codec.read(
                    bytes(
                        "{\"schemaVersion\":1,\"requestId\":\"r\",\"model\":\"m\",\"prompt\":\"p\","
                            + "\"maxTokens\":1,\"submittedAt\":1,\"recurrence\":{\"minSteps\":5,\"maxSteps\":2}}"),
                    PromptSubmitted.class))
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessageContaining("must not exceed maxSteps");
    assertThatThrownBy(
            () ->
                codec.read(
                    bytes(
                        "{\"schemaVersion\":1,\"requestId\":\"r\",\"model\":\"m\",\"prompt\":\"p\"}"),
                    PromptSubmitted.class))
        .as("a required number is missing")
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessageContaining("maxTokens");
    assertThatThrownBy(() -> codec.read(null, StatusUpdate.class))
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessageContaining("tombstone");
    assertThatThrownBy(
            () ->
                codec.read(
                    bytes("{\"requestId\":\"r\",\"status\":\"running\"}"), StatusUpdate.class))
        .as("a message without schemaVersion")
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessageContaining("schemaVersion");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
