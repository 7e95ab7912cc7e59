package dev.loopserve.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The official OpenAI Java SDK against a running gateway, with {@link FakeInferenceWorker}
 * answering the prompts over embedded Kafka: what an OpenAI user would do, end to end through the
 * gateway.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "loopserve.gateway.models-dir=src/test/resources/models",
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}"
    })
@EmbeddedKafka(
    partitions = 1,
    topics = {
      Topics.PROMPTS,
      Topics.STATUS,
      Topics.TOKENS,
      Topics.RESULTS,
      Topics.CANCELLATIONS,
      Topics.HEARTBEATS,
      Topics.POLICY,
      Topics.DLQ
    })
@DirtiesContext
class OpenAiSdkIntegrationTest {

  @LocalServerPort int port;
  @Autowired EmbeddedKafkaBroker broker;
  @Autowired KafkaTemplate<String, byte[]> kafka;

  private FakeInferenceWorker worker;
  private OpenAIClient client;

  @BeforeEach
  void start() {
    worker = new FakeInferenceWorker(broker, kafka);
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl("http://127.0.0.1:" + port + "/v1")
            .apiKey("not-checked")
            .maxRetries(0)
            .timeout(Duration.ofSeconds(60))
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    worker.close();
  }

  @Test
  void completesAPromptAndPassesTheRecurrenceAsAnExtraBodyField() {
    Completion completion =
        client
            .completions()
            .create(
                CompletionCreateParams.builder()
                    .model("tiny")
                    .prompt("a=4;a?")
                    .maxTokens(5)
                    .temperature(0.0)
                    .n(1)
                    .putAdditionalBodyProperty(
                        "recurrence", JsonValue.from(Map.of("min_steps", 3, "max_steps", 3)))
                    .build());

    assertThat(completion.model()).isEqualTo("tiny");
    assertThat(completion.choices()).hasSize(1);
    CompletionChoice choice = completion.choices().get(0);
    assertThat(choice.text()).isEqualTo(FakeInferenceWorker.ANSWER);
    assertThat(choice.finishReason()).isEqualTo(CompletionChoice.FinishReason.STOP);
    assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(7);
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(2);
    completion.validate();

    PromptSubmitted prompt = worker.received(completion.id()).orElseThrow();
    assertThat(prompt.recurrence().minSteps()).isEqualTo(3);
    assertThat(prompt.recurrence().maxSteps()).isEqualTo(3);
    assertThat(prompt.tenant()).isEqualTo("default");
  }

  @Test
  void streamsTokensAsChunksWithTheFinishReasonAndUsage() {
    List<Completion> chunks;
    try (StreamResponse<Completion> stream =
        client
            .completions()
            .createStreaming(
                CompletionCreateParams.builder()
                    .model("tiny")
                    .prompt("b=4;b?")
                    .maxTokens(1)
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                    .putAdditionalBodyProperty("recurrence", JsonValue.from(Map.of("max_steps", 2)))
                    .build())) {
      chunks = stream.stream().toList();
    }

    List<Completion> withText = chunks.stream().filter(c -> !c.choices().isEmpty()).toList();
    assertThat(withText)
        .extracting(c -> c.choices().get(0).text())
        .containsExactly(FakeInferenceWorker.ANSWER.substring(0, 1), "");
    assertThat(withText.get(1).choices().get(0).finishReason())
        .isEqualTo(CompletionChoice.FinishReason.LENGTH);
    Completion usage = chunks.get(chunks.size() - 1);
    assertThat(usage.choices()).isEmpty();
    assertThat(usage.usage().orElseThrow().totalTokens()).isEqualTo(8);
    assertThat(chunks).extracting(Completion::id).containsOnly(usage.id());
    assertThat(worker.received(usage.id()).orElseThrow().recurrence().maxSteps()).isEqualTo(2);
  }

  @Test
  void theStreamIsOpenAisWireFormat() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"tiny\",\"prompt\":[\"c=4;c?\"],\"stream\":true}"))
                    .timeout(Duration.ofSeconds(60))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/event-stream");
    assertThat(response.body())
        .startsWith("data: {\"id\":\"")
        .contains("\"object\":\"text_completion\"")
        .contains("\"finish_reason\":\"stop\"")
        .endsWith("\n\ndata: [DONE]\n\n");
  }

  @Test
  void listsTheModelsALiveWorkerServes() throws Exception {
    worker.heartbeat("tiny");

    Model tiny =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> client.models().list().data().stream().findFirst(),
                found -> found.isPresent())
            .orElseThrow();

    assertThat(tiny.id()).isEqualTo("tiny");
    assertThat(tiny.ownedBy()).isEqualTo("loopserve");
    assertThat(tiny._additionalProperties().get("workers")).isEqualTo(JsonValue.from(1));
    assertThat(tiny._additionalProperties().get("max_context")).isEqualTo(JsonValue.from(24));
  }

  @Test
  void refusesWhatLoopserveCannotDoWithErrorsTheSdkRaises() {
    assertThatThrownBy(
            () ->
                client
                    .chat()
                    .completions()
                    .create(
                        ChatCompletionCreateParams.builder()
                            .model("tiny")
                            .addUserMessage("hello")
                            .build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("chat-template-missing");
    assertThatThrownBy(
            () ->
                client
                    .completions()
                    .create(
                        CompletionCreateParams.builder().model("tiny").prompt("a?").n(2).build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("n must be 1");
    assertThatThrownBy(
            () ->
                client
                    .completions()
                    .create(CompletionCreateParams.builder().model("nope").prompt("a?").build()))
        .isInstanceOf(NotFoundException.class);
  }
}
