package dev.loopserve.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.loopserve.gateway.GatewayProperties;
import dev.loopserve.gateway.model.ModelCatalog;
import dev.loopserve.gateway.model.ModelSpec;
import dev.loopserve.gateway.prompt.InMemoryPrompts;
import dev.loopserve.gateway.security.Caller;
import dev.loopserve.gateway.security.CallerArgumentResolver;
import dev.loopserve.messages.ExitReason;
import dev.loopserve.messages.FinishReason;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.TokenEvent;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * The controller over the prompt feature in memory. The test answers each prompt as it is queued,
 * on the request's thread, so a completion has its result by the time it starts waiting.
 */
class CompletionsControllerTest {

  @RestControllerAdvice
  static class Problems extends ResponseEntityExceptionHandler {}

  private static final Duration TIMEOUT = Duration.ofMillis(200);

  private final JsonMapper json =
      JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
  private final ModelSpec model = new ModelSpec("m", "1", 32, 1, 4, 16, p -> p.length() + 1, null);
  private final ModelCatalog catalog = new ModelCatalog(List.of(model));
  private final Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);
  private final List<PromptSubmitted> queued = new ArrayList<>();
  private Consumer<PromptSubmitted> worker = p -> {};
  private final InMemoryPrompts prompts =
      new InMemoryPrompts(
          catalog,
          clock,
          p -> {
            queued.add(p);
            worker.accept(p);
          });
  private final MockMvc mvc =
      MockMvcBuilders.standaloneSetup(
              new CompletionsController(
                  prompts.submission(), prompts.followers(), catalog, json, properties()),
              new ChatCompletionsController(catalog))
          .setControllerAdvice(new Problems())
          .setMessageConverters(
              new JacksonJsonHttpMessageConverter(
                  JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)))
          .setCustomArgumentResolvers(new CallerArgumentResolver(new Caller("t1", "k", false)))
          .build();

  @Test
  void answersWithATextCompletionOnceThePromptIsDone() throws Exception {
    worker = p -> answer(p.requestId(), "42", FinishReason.EOS);

    complete("{\"model\":\"m\",\"prompt\":\"a=42;a?\",\"max_tokens\":3,\"n\":1}")
        .andExpect(status().isOk())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
        .andExpect(jsonPath("$.id").value(queued.get(0).requestId()))
        .andExpect(jsonPath("$.object").value("text_completion"))
        .andExpect(jsonPath("$.created").value(1_700_000_000L))
        .andExpect(jsonPath("$.model").value("m"))
        .andExpect(jsonPath("$.choices[0].text").value("42"))
        .andExpect(jsonPath("$.choices[0].index").value(0))
        .andExpect(jsonPath("$.choices[0].finish_reason").value("stop"))
        .andExpect(jsonPath("$.choices[0].logprobs").isEmpty())
        .andExpect(jsonPath("$.usage.prompt_tokens").value(8))
        .andExpect(jsonPath("$.usage.completion_tokens").value(2))
        .andExpect(jsonPath("$.usage.total_tokens").value(10));

    PromptSubmitted p = queued.get(0);
    assertThat(p.tenant()).as("acts for the caller's tenant").isEqualTo("t1");
    assertThat(p.maxTokens()).isEqualTo(3);
    assertThat(prompts.followers().following()).isZero();
  }

  @Test
  void passesTheRecurrenceExtraThrough() throws Exception {
    worker = p -> answer(p.requestId(), "1", FinishReason.LENGTH);

    complete(
            """
            {"model":"m","prompt":"x?","max_tokens":1,"top_k":3,"priority":"batch",
             "recurrence":{"min_steps":2,"max_steps":6,"exit_state_delta":0.05}}
            """)
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.choices[0].finish_reason").value("length"));

    PromptSubmitted p = queued.get(0);
    assertThat(p.recurrence().minSteps()).isEqualTo(2);
    assertThat(p.recurrence().maxSteps()).isEqualTo(6);
    assertThat(p.recurrence().exitStateDelta()).isEqualTo(0.05);
    assertThat(p.sampling().topK()).isEqualTo(3);
  }

  @Test
  void aCompletionNotDoneInTimeIs504WithThePromptIdAndIsNotCancelled() throws Exception {
    complete("{\"model\":\"m\",\"prompt\":\"slow?\"}")
        .andExpect(status().isGatewayTimeout())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(header().string("x-should-retry", "false"))
        .andExpect(jsonPath("$.type").value("https://loopserve.dev/problems/completion-timeout"))
        .andExpect(jsonPath("$.id").value(queued.get(0).requestId()));

    assertThat(prompts.followers().following()).as("the wait stopped following").isZero();
    assertThat(queued).hasSize(1);
  }

  @Test
  void aFailedPromptIs502() throws Exception {
    worker =
        p ->
            prompts.apply(
                new InferenceResult(
                    p.requestId(),
                    p.tenant(),
                    p.model(),
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
                    "boom"));

    complete("{\"model\":\"m\",\"prompt\":\"x?\"}")
        .andExpect(status().isBadGateway())
        .andExpect(jsonPath("$.detail").value(containsString("boom")));
  }

  @Test
  void streamsChunksThenUsageThenDone() throws Exception {
    worker =
        p -> {
          prompts.apply(new TokenEvent(p.requestId(), 0, 7L, "4", 4, ExitReason.BUDGET, 1L));
          prompts.apply(new TokenEvent(p.requestId(), 1, 8L, "2", 4, ExitReason.BUDGET, 2L));
          answer(p.requestId(), "42", FinishReason.EOS);
        };

    String body =
        complete(
                """
                {"model":"m","prompt":"a=42;a?","stream":true,
                 "stream_options":{"include_usage":true}}
                """)
            .andExpect(status().isOk())
            .andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM))
            .andExpect(header().string("Cache-Control", "no-cache"))
            .andReturn()
            .getResponse()
            .getContentAsString();

    List<String> events = List.of(body.split("\n\n"));
    assertThat(events).hasSize(5).allSatisfy(e -> assertThat(e).startsWith("data: "));
    assertThat(events.get(0)).contains("\"text\":\"4\"").contains("\"finish_reason\":null");
    assertThat(events.get(1)).contains("\"text\":\"2\"");
    assertThat(events.get(2)).contains("\"finish_reason\":\"stop\"");
    assertThat(events.get(3)).contains("\"usage\":{\"prompt_tokens\":8");
    assertThat(events.get(4)).isEqualTo("data: [DONE]");
    assertThat(prompts.followers().following()).isZero();
  }

  @Test
  void aStreamNotDoneInTimeEndsWithAnErrorEvent() throws Exception {
    String body =
        complete("{\"model\":\"m\",\"prompt\":\"slow?\",\"stream\":true}")
            .andExpect(status().isOk())
            .andReturn()
            .getResponse()
            .getContentAsString();

    assertThat(body)
        .startsWith("data: {\"error\":")
        .contains("completion-timeout")
        .doesNotContain("[DONE]");
    assertThat(prompts.followers().following()).isZero();
  }

  @Test
  void badRequestsAreProblemsBeforeAnythingIsQueued() throws Exception {
    complete("{\"model\":\"m\",\"prompt\":\"x\",\"n\":2}")
        .andExpect(status().isBadRequest())
        .andExpect(
            jsonPath("$.type").value("https://loopserve.dev/problems/unsupported-parameter"));
    complete("{\"model\":\"m\",\"prompt\":\"x\",\"frobnicate\":true}")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.params[0]").value("frobnicate"));
    complete("{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":0}")
        .andExpect(status().isBadRequest());
    complete("{\"model\":\"nope\",\"prompt\":\"x\"}").andExpect(status().isNotFound());
    complete("{\"model\":\"m\",\"prompt\":\"" + "x".repeat(40) + "\",\"stream\":true}")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.type").value("https://loopserve.dev/problems/context-length"));

    assertThat(queued).isEmpty();
  }

  @Test
  void chatCompletionsNeedAChatTemplate() throws Exception {
    chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":3}")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.type").value("https://loopserve.dev/problems/chat-template-missing"))
        .andExpect(jsonPath("$.model").value("m"))
        .andExpect(jsonPath("$.detail").value(containsString("/v1/completions")));
    chat("{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
        .andExpect(status().isNotFound());
    chat("{\"model\":\"nope\"}").andExpect(status().isBadRequest());
    chat("{\"model\":\"m\",\"messages\":[{\"content\":\"hi\"}]}")
        .andExpect(status().isBadRequest());
  }

  private ResultActions complete(String body) throws Exception {
    return mvc.perform(
        post("/v1/completions").contentType(MediaType.APPLICATION_JSON).content(body));
  }

  private ResultActions chat(String body) throws Exception {
    return mvc.perform(
        post("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON).content(body));
  }

  private void answer(String id, String text, FinishReason reason) {
    prompts.apply(
        new InferenceResult(
            id,
            "t1",
            "m",
            InferenceResult.Status.SUCCEEDED,
            text,
            Collections.nCopies(text.length(), 9L),
            Collections.nCopies(text.length(), 4),
            Collections.nCopies(text.length(), ExitReason.BUDGET),
            reason,
            null,
            null,
            0L,
            "w1",
            null));
  }

  private static GatewayProperties properties() {
    return new GatewayProperties(
        Path.of("models"),
        16,
        Duration.ofSeconds(5),
        "default",
        Duration.ofMinutes(30),
        new GatewayProperties.Retention(10, Duration.ofHours(1)),
        new GatewayProperties.Backpressure(
            100, null, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(60)),
        DataSize.ofMegabytes(1),
        new GatewayProperties.Callbacks(List.of(), Duration.ofSeconds(5), 3, Duration.ofSeconds(1)),
        TIMEOUT,
        Duration.ofSeconds(10));
  }
}
