package dev.loopserve.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.sun.net.httpserver.HttpServer;
import dev.loopserve.messages.Budget;
import dev.loopserve.messages.CancelRequest;
import dev.loopserve.messages.DeadLetter;
import dev.loopserve.messages.ExitReason;
import dev.loopserve.messages.FinishReason;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.Timings;
import dev.loopserve.messages.TokenEvent;
import dev.loopserve.messages.Topics;
import dev.loopserve.messages.WorkerHeartbeat;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.kafka.test.utils.ContainerTestUtils;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(
    properties = {
      "loopserve.gateway.models-dir=src/test/resources/models",
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}"
    })
@AutoConfigureMockMvc
@EmbeddedKafka(
    partitions = 1,
    topics = {
      Topics.PROMPTS,
      Topics.STATUS,
      Topics.TOKENS,
      Topics.RESULTS,
      Topics.CANCELLATIONS,
      Topics.POLICY,
      Topics.HEARTBEATS,
      Topics.DLQ
    })
@DirtiesContext
class GatewayKafkaIntegrationTest {

  @Autowired MockMvc mvc;
  @Autowired EmbeddedKafkaBroker broker;
  @Autowired KafkaTemplate<String, byte[]> kafka;
  @Autowired KafkaListenerEndpointRegistry listeners;

  private final MessageCodec codec = new MessageCodec();
  private final JsonMapper json = JsonMapper.builder().build();

  @Test
  void acceptedPromptsReachKafkaAndResultsFromKafkaAreServed() throws Exception {
    MvcResult accepted =
        mvc.perform(
                post("/v1/prompts")
                    .contentType(MediaType.APPLICATION_JSON)
                    .content(
                        """
                        {"model":"tiny","prompt":"a=3;a?","max_tokens":2,
                         "recurrence":{"min_steps":4,"max_steps":4}}
                        """))
            .andExpect(status().isAccepted())
            .andExpect(jsonPath("$.status").value("queued"))
            .andExpect(header().exists("Retry-After"))
            .andReturn();
    String id = json.readTree(accepted.getResponse().getContentAsString()).get("id").asString();
    assertThat(accepted.getResponse().getHeader("Location")).isEqualTo("/v1/prompts/" + id);

    try (Consumer<String, byte[]> consumer = consumer()) {
      broker.consumeFromAnEmbeddedTopic(consumer, Topics.PROMPTS);
      // Other tests share the topic: find this request's record by its key.
      ConsumerRecord<String, byte[]> record = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (record == null && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (id.equals(r.key())) {
            record = r;
          }
        }
      }
      assertThat(record).as("the prompt on " + Topics.PROMPTS).isNotNull();
      JsonNode wire = json.readTree(record.value());
      assertThat(wire.get("maxTokens").asInt()).as("camelCase on Kafka").isEqualTo(2);
      assertThat(wire.get("recurrence").get("minSteps").asInt()).isEqualTo(4);
      PromptSubmitted prompt = codec.read(record.value(), PromptSubmitted.class);
      assertThat(prompt.prompt()).isEqualTo("a=3;a?");
    }

    mvc.perform(get("/v1/prompts/" + id)).andExpect(jsonPath("$.status").value("queued"));

    // A poison record ahead of the real result must not stop the view.
    kafka.send(Topics.RESULTS, id, "{oops".getBytes(StandardCharsets.UTF_8)).get();
    kafka.send(Topics.RESULTS, id, codec.write(result(id))).get();

    JsonNode view = awaitStatus(id, "succeeded");
    assertThat(view.get("text").asString()).isEqualTo("3");
    assertThat(view.get("steps_per_token").get(0).asInt()).isEqualTo(4);
    assertThat(view.get("budget").get("max_steps").asInt()).isEqualTo(4);
    assertThat(view.get("compute_nanos").asLong()).isEqualTo(1234L);

    try (Consumer<String, byte[]> consumer = consumer()) {
      broker.consumeFromAnEmbeddedTopic(consumer, Topics.DLQ);
      ConsumerRecord<String, byte[]> letter =
          KafkaTestUtils.getSingleRecord(consumer, Topics.DLQ, Duration.ofSeconds(20));
      DeadLetter dead = codec.read(letter.value(), DeadLetter.class);
      assertThat(dead.sourceTopic()).isEqualTo(Topics.RESULTS);
      assertThat(dead.payload()).isEqualTo("{oops");
      assertThat(dead.reason()).contains("InferenceResult");
    }
  }

  @Test
  void aFinishedPromptIsPostedToItsCallbackUrl() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext(
        "/done",
        exchange -> {
          received.add(
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    hook.start();
    try {
      // The callback group starts at the end of the topic, so it must own its partition first.
      ContainerTestUtils.waitForAssignment(
          listeners.getListenerContainer("loopserve-gateway-callbacks"), 1);
      String url = "http://127.0.0.1:" + hook.getAddress().getPort() + "/done";
      String id =
          json.readTree(
                  mvc.perform(
                          post("/v1/prompts")
                              .contentType(MediaType.APPLICATION_JSON)
                              .content(
                                  "{\"model\":\"tiny\",\"prompt\":\"d=4;d?\",\"callback_url\":\""
                                      + url
                                      + "\"}"))
                      .andExpect(status().isAccepted())
                      .andReturn()
                      .getResponse()
                      .getContentAsString())
              .get("id")
              .asString();

      kafka.send(Topics.RESULTS, id, codec.write(result(id))).get();

      await().atMost(Duration.ofSeconds(20)).until(() -> !received.isEmpty());
      JsonNode body = json.readTree(received.get(0));
      assertThat(body.get("id").asString()).isEqualTo(id);
      assertThat(body.get("status").asString()).isEqualTo("succeeded");
    } finally {
      hook.stop(0);
    }
  }

  @Test
  void aCancellationReachesKafkaAndTheCancelledResultEndsThePrompt() throws Exception {
    String id =
        json.readTree(
                mvc.perform(
                        post("/v1/prompts")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"model\":\"tiny\",\"prompt\":\"c=5;c?\"}"))
                    .andExpect(status().isAccepted())
                    .andReturn()
                    .getResponse()
                    .getContentAsString())
            .get("id")
            .asString();

    MvcResult events =
        mvc.perform(get("/v1/prompts/" + id + "/events").accept(MediaType.TEXT_EVENT_STREAM))
            .andExpect(request().asyncStarted())
            .andReturn();

    mvc.perform(delete("/v1/prompts/" + id))
        .andExpect(status().isAccepted())
        .andExpect(jsonPath("$.id").value(id))
        .andExpect(jsonPath("$.status").value("queued"));

    try (Consumer<String, byte[]> consumer = consumer()) {
      broker.consumeFromAnEmbeddedTopic(consumer, Topics.CANCELLATIONS);
      CancelRequest cancel = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (cancel == null && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (id.equals(r.key())) {
            cancel = codec.read(r.value(), CancelRequest.class);
          }
        }
      }
      assertThat(cancel).as("the cancellation on " + Topics.CANCELLATIONS).isNotNull();
      assertThat(cancel.requestId()).isEqualTo(id);
      assertThat(cancel.tenant()).isEqualTo("default");
    }

    kafka
        .send(Topics.TOKENS, id, codec.write(new TokenEvent(id, 0, 9L, "5", 4, ExitReason.KL, 3L)))
        .get();
    kafka.send(Topics.RESULTS, id, codec.write(cancelled(id))).get();
    awaitStatus(id, "cancelled");
    // The stream is fed by the same Kafka reader, right after the view changes.
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(events.getResponse().getContentAsString())
                    .contains("event:queued")
                    .contains("\"exit_reason\":\"kl\"")
                    .contains("event:done")
                    .contains("\"status\":\"cancelled\""));

    mvc.perform(delete("/v1/prompts/" + id))
        .andExpect(status().isConflict())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    mvc.perform(get("/v1/prompts/no-such-id/events").accept(MediaType.TEXT_EVENT_STREAM))
        .andExpect(status().isNotFound());
    mvc.perform(delete("/v1/prompts/no-such-id"))
        .andExpect(status().isNotFound())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
  }

  @Test
  void badInputIsAnsweredWithProblemDetails() throws Exception {
    expectProblem("{\"model\":\"nope\",\"prompt\":\"a?\"}", 404, "'nope'");
    expectProblem("{\"model\":\"tiny\",\"prompt\":\"  \"}", 400, "prompt must not be blank");
    expectProblem("{\"model\":\"tiny\"}", 400, "prompt must not be blank");
    expectProblem("{\"model\":\"tiny\",\"prompt\":\"a?\",\"max_tokens\":0}", 400, "max_tokens");
    expectProblem("{\"model\":\"tiny\",\"prompt\":\"a?\",\"max_tokens\":-3}", 400, "max_tokens");
    expectProblem("{\"model\":\"tiny\",\"prompt\":", 400, null);
    expectProblem(
        "{\"model\":\"tiny\",\"prompt\":\"" + "x".repeat(30) + "\"}", 400, "context of 24 tokens");

    mvc.perform(get("/v1/prompts/does-not-exist"))
        .andExpect(status().isNotFound())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
  }

  @Test
  void aRetryWithTheSameIdempotencyKeyIsTheSameRequest() throws Exception {
    String body = "{\"model\":\"tiny\",\"prompt\":\"b=1;b?\"}";
    String first =
        mvc.perform(
                post("/v1/prompts")
                    .header("Idempotency-Key", "k-1")
                    .contentType(MediaType.APPLICATION_JSON)
                    .content(body))
            .andExpect(status().isAccepted())
            .andReturn()
            .getResponse()
            .getHeader("Location");
    String retry =
        mvc.perform(
                post("/v1/prompts")
                    .header("Idempotency-Key", "k-1")
                    .contentType(MediaType.APPLICATION_JSON)
                    .content(body))
            .andExpect(status().isAccepted())
            .andReturn()
            .getResponse()
            .getHeader("Location");
    String other =
        mvc.perform(
                post("/v1/prompts")
                    .header("Idempotency-Key", "k-2")
                    .contentType(MediaType.APPLICATION_JSON)
                    .content(body))
            .andReturn()
            .getResponse()
            .getHeader("Location");

    assertThat(retry).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
    mvc.perform(
            post("/v1/prompts")
                .header("Idempotency-Key", "k-1")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"model\":\"tiny\",\"prompt\":\"b=2;b?\"}"))
        .andExpect(status().isConflict())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(
            jsonPath("$.type").value("https://loopserve.dev/problems/idempotency-key-reused"));
  }

  @Test
  void listsTheModelsThatALiveWorkerServes() throws Exception {
    long now = System.currentTimeMillis();
    // A worker of a model this gateway does not know, and one that fell silent long ago.
    kafka
        .send(
            Topics.HEARTBEATS,
            "w-other",
            codec.write(new WorkerHeartbeat("w-other", "other", now, 0.01, 0, 4, 4, 0)))
        .get();
    kafka
        .send(
            Topics.HEARTBEATS,
            "w-old",
            codec.write(new WorkerHeartbeat("w-old", "tiny", now - 600_000, 0.01, 0, 4, 4, 0)))
        .get();
    mvc.perform(get("/v1/models"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.object").value("list"))
        .andExpect(jsonPath("$.data").isEmpty());

    kafka
        .send(
            Topics.HEARTBEATS,
            "w1",
            codec.write(new WorkerHeartbeat("w1", "tiny", now, 0.01, 1, 8, 7, 0)))
        .get();

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                mvc.perform(get("/v1/models"))
                    .andExpect(jsonPath("$.data.length()").value(1))
                    .andExpect(jsonPath("$.data[0].id").value("tiny"))
                    .andExpect(jsonPath("$.data[0].object").value("model"))
                    .andExpect(jsonPath("$.data[0].owned_by").value("loopserve"))
                    .andExpect(jsonPath("$.data[0].created").value(now / 1000))
                    .andExpect(jsonPath("$.data[0].max_context").value(24))
                    .andExpect(jsonPath("$.data[0].max_steps").value(16))
                    .andExpect(jsonPath("$.data[0].workers").value(1))
                    .andExpect(jsonPath("$.data[0].free_slots").value(7)));
  }

  @Test
  void completionsAreAnsweredFromWhatTheWorkersPublish() throws Exception {
    try (FakeInferenceWorker worker = new FakeInferenceWorker(broker, kafka)) {
      MvcResult done =
          mvc.perform(
                  post("/v1/completions")
                      .contentType(MediaType.APPLICATION_JSON)
                      .content(
                          """
                          {"model":"tiny","prompt":"d=4;d?","max_tokens":3,
                           "recurrence":{"min_steps":5,"max_steps":5}}
                          """))
              .andExpect(status().isOk())
              .andExpect(jsonPath("$.object").value("text_completion"))
              .andExpect(jsonPath("$.choices[0].text").value(FakeInferenceWorker.ANSWER))
              .andExpect(jsonPath("$.choices[0].finish_reason").value("stop"))
              .andExpect(jsonPath("$.usage.completion_tokens").value(2))
              .andReturn();
      String id = json.readTree(done.getResponse().getContentAsString()).get("id").asString();
      assertThat(worker.received(id).orElseThrow().recurrence().minSteps()).isEqualTo(5);
      // The completion is a prompt like any other.
      mvc.perform(get("/v1/prompts/" + id))
          .andExpect(jsonPath("$.status").value("succeeded"))
          .andExpect(jsonPath("$.steps_per_token[0]").value(5));

      String stream =
          mvc.perform(
                  post("/v1/completions")
                      .contentType(MediaType.APPLICATION_JSON)
                      .content("{\"model\":\"tiny\",\"prompt\":\"e=4;e?\",\"stream\":true}"))
              .andExpect(status().isOk())
              .andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM))
              .andReturn()
              .getResponse()
              .getContentAsString();
      assertThat(stream.split("\n\n"))
          .containsExactly(
              chunk(stream, "4", null),
              chunk(stream, "2", null),
              chunk(stream, "", "\"stop\""),
              "data: [DONE]");
    }
  }

  @Test
  void openAiRequestsLoopserveCannotServeAreProblems() throws Exception {
    mvc.perform(
            post("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .content(
                    "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(
            jsonPath("$.type").value("https://loopserve.dev/problems/chat-template-missing"));
    mvc.perform(
            post("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"model\":\"tiny\",\"messages\":[]}"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value("messages must not be empty"));
    mvc.perform(
            post("/v1/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"model\":\"tiny\",\"prompt\":\"a?\",\"recurrence\":{\"max_steps\":0}}"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value("recurrence.max_steps must be greater than 0"));
    mvc.perform(
            post("/v1/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"model\":\"tiny\",\"prompt\":\"a?\",\"logprobs\":2}"))
        .andExpect(status().isBadRequest())
        .andExpect(
            jsonPath("$.type").value("https://loopserve.dev/problems/unsupported-parameter"));
  }

  @Test
  void theOpenApiDocumentDescribesTheApiAsClientsSeeIt() throws Exception {
    JsonNode doc =
        json.readTree(
            mvc.perform(get("/v3/api-docs")).andReturn().getResponse().getContentAsString());
    JsonNode paths = doc.get("paths");
    assertThat(paths.has("/v1/completions")).isTrue();
    assertThat(paths.has("/v1/chat/completions")).isTrue();
    assertThat(paths.get("/v1/models").get("get").get("summary").asString()).contains("live");
    assertThat(paths.get("/v1/completions").get("post").get("parameters").toString())
        .as("the Caller is resolved, not sent")
        .doesNotContain("caller");
    JsonNode request = doc.get("components").get("schemas").get("CompletionRequest");
    assertThat(request.get("properties").has("max_tokens")).as("snake_case").isTrue();
    assertThat(request.get("properties").has("recurrence")).isTrue();
    assertThat(request.get("properties").has("unknown")).as("the catch-all is internal").isFalse();
    assertThat(request.get("properties").get("prompt").get("oneOf").size()).isEqualTo(2);
  }

  /** The event a chunk of {@code stream} with this text and finish reason must be. */
  private String chunk(String stream, String text, String finishReason) throws Exception {
    JsonNode first = json.readTree(stream.substring("data: ".length(), stream.indexOf("\n\n")));
    return "data: {\"id\":\""
        + first.get("id").asString()
        + "\",\"object\":\"text_completion\",\"created\":"
        + first.get("created").asLong()
        + ",\"model\":\"tiny\",\"choices\":[{\"text\":\""
        + text
        + "\",\"index\":0,\"logprobs\":null,\"finish_reason\":"
        + finishReason
        + "}]}";
  }

  private void expectProblem(String body, int status, String detailPart) throws Exception {
    MvcResult r =
        mvc.perform(post("/v1/prompts").contentType(MediaType.APPLICATION_JSON).content(body))
            .andExpect(status().is(status))
            .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
            .andExpect(header().doesNotExist("Location"))
            .andReturn();
    JsonNode problem = json.readTree(r.getResponse().getContentAsString());
    assertThat(problem.get("status").asInt()).isEqualTo(status);
    if (detailPart != null) {
      assertThat(problem.get("detail").asString()).as(body).contains(detailPart);
    }
  }

  private JsonNode awaitStatus(String id, String wanted) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                json.readTree(
                    mvc.perform(get("/v1/prompts/" + id))
                        .andReturn()
                        .getResponse()
                        .getContentAsString()),
            view -> wanted.equals(view.path("status").asString()));
  }

  private Consumer<String, byte[]> consumer() {
    Map<String, Object> props =
        KafkaTestUtils.consumerProps(broker, "test-" + System.nanoTime(), false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(props);
  }

  private static InferenceResult result(String id) {
    return new InferenceResult(
        id,
        "default",
        "tiny",
        InferenceResult.Status.SUCCEEDED,
        "3",
        List.of(7L),
        List.of(4),
        List.of(ExitReason.BUDGET),
        FinishReason.EOS,
        Budget.fixed(4),
        new Timings(1L, 2L, 3L, 4L),
        1234L,
        "w1",
        null);
  }

  private static InferenceResult cancelled(String id) {
    return new InferenceResult(
        id,
        "default",
        "tiny",
        InferenceResult.Status.CANCELLED,
        "",
        List.of(),
        List.of(),
        List.of(),
        null,
        null,
        null,
        0L,
        "w1",
        null);
  }
}
