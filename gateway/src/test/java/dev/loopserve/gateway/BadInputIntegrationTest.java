package dev.loopserve.gateway;

import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.loopserve.messages.Topics;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/**
 * Every kind of bad submission gets problem+json whose detail says what to change. No inference
 * service runs here, so accepted prompts stay queued: that is what fills the backlog for the 429.
 */
@SpringBootTest(
    properties = {
      "loopserve.gateway.models-dir=src/test/resources/models",
      "loopserve.gateway.max-body-size=2KB",
      "loopserve.gateway.backpressure.max-queued=3",
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
class BadInputIntegrationTest {

  @Autowired MockMvc mvc;

  private ResultActions submit(String body) throws Exception {
    return submit(body.getBytes(StandardCharsets.UTF_8), MediaType.APPLICATION_JSON);
  }

  private ResultActions submit(byte[] body, MediaType type) throws Exception {
    return mvc.perform(post("/v1/prompts").contentType(type).content(body))
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
  }

  @Test
  void malformedJson() throws Exception {
    submit("{\"model\":\"tiny\",\"prompt\":")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value(containsString("Malformed JSON at line 1")));
  }

  @Test
  void unknownField() throws Exception {
    submit("{\"model\":\"tiny\",\"prompt\":\"a\",\"max_token\":3}")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value(containsString("Unknown field 'max_token'")))
        .andExpect(jsonPath("$.detail").value(containsString("max_tokens")));
  }

  @Test
  void unknownNestedField() throws Exception {
    submit("{\"model\":\"tiny\",\"prompt\":\"a\",\"recurrence\":{\"steps\":3}}")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value(containsString("'recurrence.steps'")));
  }

  @Test
  void wrongType() throws Exception {
    submit("{\"model\":\"tiny\",\"prompt\":\"a\",\"max_tokens\":\"many\"}")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value("Field 'max_tokens' must be an integer, not 'many'"));
    submit("{\"model\":\"tiny\",\"prompt\":\"a\",\"priority\":\"urgent\"}")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value(containsString("interactive, standard, batch")));
  }

  @Test
  void missingPrompt() throws Exception {
    submit("{\"model\":\"tiny\"}")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value(containsString("prompt must not be blank")));
  }

  @Test
  void missingBody() throws Exception {
    submit(new byte[0], MediaType.APPLICATION_JSON)
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value(containsString("body is missing")));
  }

  @Test
  void invalidUtf8() throws Exception {
    byte[] body = "{\"model\":\"tiny\",\"prompt\":\"a?\"}".getBytes(StandardCharsets.UTF_8);
    body[body.length - 4] = (byte) 0xC3; // a lead byte with no continuation
    submit(body, MediaType.APPLICATION_JSON)
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value(containsString("not valid UTF-8")));
  }

  @Test
  void promptOverTheContext() throws Exception {
    submit("{\"model\":\"tiny\",\"prompt\":\"" + "a=1;".repeat(20) + "a?\"}")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.type").value("https://loopserve.dev/problems/context-length"))
        .andExpect(jsonPath("$.detail").value(containsString("context of 24 tokens")));
  }

  @Test
  void maxTokensAndStepsOutOfRange() throws Exception {
    submit("{\"model\":\"tiny\",\"prompt\":\"a\",\"max_tokens\":0}")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value(containsString("max_tokens must be greater than 0")));
    submit("{\"model\":\"tiny\",\"prompt\":\"a\",\"max_tokens\":500}")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value(containsString("at most")));
    submit("{\"model\":\"tiny\",\"prompt\":\"a\",\"recurrence\":{\"max_steps\":99}}")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value(containsString("supports 1 to 16")));
  }

  @Test
  void unknownModel() throws Exception {
    submit("{\"model\":\"gpt-9\",\"prompt\":\"a\"}")
        .andExpect(status().isNotFound())
        .andExpect(jsonPath("$.detail").value(containsString("known models: tiny")));
  }

  @Test
  void deadlineInThePast() throws Exception {
    submit("{\"model\":\"tiny\",\"prompt\":\"a\",\"deadline\":\"2020-01-01T00:00:00Z\"}")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value(containsString("already passed")));
    submit("{\"model\":\"tiny\",\"prompt\":\"a\",\"deadline\":\"tomorrow\"}")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value(containsString("RFC 3339")));
  }

  @Test
  void bodyTooLarge() throws Exception {
    submit("{\"model\":\"tiny\",\"prompt\":\"" + "x".repeat(3000) + "\"}")
        .andExpect(status().isPayloadTooLarge())
        .andExpect(jsonPath("$.detail").value(containsString("at most 2048 bytes")));
  }

  @Test
  void overTheQueueBoundIs429WithRetryAfter() throws Exception {
    for (int i = 0; i < 3; i++) {
      mvc.perform(
              post("/v1/prompts")
                  .contentType(MediaType.APPLICATION_JSON)
                  .content("{\"model\":\"tiny\",\"prompt\":\"a=1;a?\"}"))
          .andExpect(status().isAccepted());
    }
    submit("{\"model\":\"tiny\",\"prompt\":\"a=1;a?\"}")
        .andExpect(status().isTooManyRequests())
        .andExpect(header().string("Retry-After", "5")) // nothing finished yet: the fallback
        .andExpect(jsonPath("$.type").value("https://loopserve.dev/problems/overloaded"))
        .andExpect(jsonPath("$.queued").value(3));
  }

  @Test
  void wrongContentType() throws Exception {
    submit("model=tiny".getBytes(StandardCharsets.UTF_8), MediaType.TEXT_PLAIN)
        .andExpect(status().isUnsupportedMediaType())
        .andExpect(jsonPath("$.detail").value(containsString("application/json")));
  }
}
