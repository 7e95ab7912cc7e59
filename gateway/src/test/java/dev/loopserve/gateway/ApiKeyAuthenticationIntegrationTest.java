package dev.loopserve.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.loopserve.messages.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway with API keys configured, over HTTP: who gets in, what each tenant sees, and the
 * per-key limits. Each limit is tested with its own key and tenant, so the tests do not share
 * buckets or in-flight counts.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "loopserve.gateway.models-dir=src/test/resources/models",
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "management.server.port=0",
      "loopserve.gateway.auth.limits.requests-per-second=1000",
      "loopserve.gateway.auth.limits.burst=1000"
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
class ApiKeyAuthenticationIntegrationTest {

  private static final String ALICE = "alice-key-0123456789";
  private static final String BOB = "bob-key-0123456789";
  private static final String OPS = "ops-key-0123456789";
  private static final String SLOW = "slow-key-0123456789";
  private static final String BUSY = "busy-key-0123456789";
  private static final String SMALL = "small-key-0123456789";

  @DynamicPropertySource
  static void keys(DynamicPropertyRegistry registry) {
    key(registry, "alice", ALICE, "tenant-a");
    key(registry, "bob", BOB, "tenant-b");
    key(registry, "ops", OPS, "operators");
    registry.add("loopserve.gateway.auth.keys.ops.admin", () -> "true");
    key(registry, "slow", SLOW, "slow");
    // Two requests at once, then one per 100 s: the third is refused for the whole test.
    registry.add("loopserve.gateway.auth.keys.slow.burst", () -> "2");
    registry.add("loopserve.gateway.auth.keys.slow.requests-per-second", () -> "0.01");
    key(registry, "busy", BUSY, "busy");
    registry.add("loopserve.gateway.auth.keys.busy.max-in-flight", () -> "2");
    key(registry, "small", SMALL, "small");
    registry.add("loopserve.gateway.auth.keys.small.max-prompt-chars", () -> "8");
  }

  private static void key(DynamicPropertyRegistry registry, String id, String key, String tenant) {
    registry.add("loopserve.gateway.auth.keys." + id + ".sha256", () -> sha256(key));
    registry.add("loopserve.gateway.auth.keys." + id + ".tenant", () -> tenant);
  }

  static String sha256(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Autowired MockMvc mvc;
  @LocalServerPort int port;
  @LocalManagementPort int managementPort;

  private final JsonMapper json = JsonMapper.builder().build();
  private final HttpClient http = HttpClient.newHttpClient();

  private static MockHttpServletRequestBuilder as(String key, MockHttpServletRequestBuilder r) {
    return r.header(HttpHeaders.AUTHORIZATION, "Bearer " + key);
  }

  private static MockHttpServletRequestBuilder submit(String prompt) {
    return post("/v1/prompts")
        .contentType(MediaType.APPLICATION_JSON)
        .content("{\"model\":\"tiny\",\"prompt\":\"" + prompt + "\"}");
  }

  private String submitted(String key, String prompt) throws Exception {
    String body =
        mvc.perform(as(key, submit(prompt)))
            .andExpect(status().isAccepted())
            .andReturn()
            .getResponse()
            .getContentAsString();
    return json.readTree(body).get("id").asString();
  }

  @Test
  void aMissingOrInvalidKeyIs401WithABearerChallenge() throws Exception {
    mvc.perform(get("/v1/models"))
        .andExpect(status().isUnauthorized())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"loopserve\""))
        .andExpect(jsonPath("$.type").value("https://loopserve.dev/problems/unauthorized"))
        .andExpect(jsonPath("$.detail").value(containsString("Bearer")));
    mvc.perform(as("not-a-key", submit("a=1;a?")))
        .andExpect(status().isUnauthorized())
        .andExpect(
            header()
                .string(
                    HttpHeaders.WWW_AUTHENTICATE,
                    "Bearer realm=\"loopserve\", error=\"invalid_token\""));
    mvc.perform(get("/v1/models").header("X-API-Key", "not-a-key"))
        .andExpect(status().isUnauthorized());
    mvc.perform(get("/v1/prompts/any/events").accept(MediaType.TEXT_EVENT_STREAM))
        .andExpect(status().isUnauthorized())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));

    mvc.perform(as(ALICE, get("/v1/models"))).andExpect(status().isOk());
    mvc.perform(get("/v1/models").header("X-API-Key", ALICE)).andExpect(status().isOk());
  }

  @Test
  void anotherTenantsPromptIsUnknownToGetDeleteAndEvents() throws Exception {
    String id = submitted(ALICE, "a=3;a?");

    mvc.perform(as(ALICE, get("/v1/prompts/" + id))).andExpect(status().isOk());
    for (MockHttpServletRequestBuilder request :
        new MockHttpServletRequestBuilder[] {
          get("/v1/prompts/" + id),
          delete("/v1/prompts/" + id),
          get("/v1/prompts/" + id + "/events").accept(MediaType.TEXT_EVENT_STREAM)
        }) {
      mvc.perform(as(BOB, request))
          .andExpect(status().isNotFound())
          .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
          .andExpect(jsonPath("$.type").value("https://loopserve.dev/problems/unknown-prompt"));
    }
    // Bob's attempt cancelled nothing.
    mvc.perform(as(ALICE, get("/v1/prompts/" + id)))
        .andExpect(jsonPath("$.status").value("queued"));
  }

  @Test
  void adminRoutesNeedAnAdminKey() throws Exception {
    submitted(ALICE, "b=2;b?");
    mvc.perform(get("/admin/tenants")).andExpect(status().isUnauthorized());
    mvc.perform(as(ALICE, get("/admin/tenants")))
        .andExpect(status().isForbidden())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.type").value("https://loopserve.dev/problems/forbidden"));

    String body =
        mvc.perform(as(OPS, get("/admin/tenants")))
            .andExpect(status().isOk())
            .andExpect(jsonPath("$.tenants[?(@.name == 'tenant-a')].keys[0].id").value("alice"))
            .andExpect(
                jsonPath("$.tenants[?(@.name == 'small')].keys[0].limits.max_prompt_chars")
                    .value(8))
            .andExpect(jsonPath("$.tenants[?(@.name == 'operators')].keys[0].admin").value(true))
            .andReturn()
            .getResponse()
            .getContentAsString();
    assertThat(json.readTree(body).get("tenants").findValues("in_flight"))
        .anySatisfy(n -> assertThat(n.asInt()).isPositive());
    assertThat(body).doesNotContain(sha256(ALICE)).doesNotContain("sha256");
  }

  @Test
  void overItsRateAKeyGets429WithRetryAfter() throws Exception {
    mvc.perform(as(SLOW, get("/v1/models"))).andExpect(status().isOk());
    mvc.perform(as(SLOW, get("/v1/models"))).andExpect(status().isOk());
    String retryAfter =
        mvc.perform(as(SLOW, get("/v1/models")))
            .andExpect(status().isTooManyRequests())
            .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
            .andExpect(jsonPath("$.type").value("https://loopserve.dev/problems/rate-limited"))
            .andReturn()
            .getResponse()
            .getHeader(HttpHeaders.RETRY_AFTER);
    assertThat(Integer.parseInt(retryAfter)).isBetween(1, 100);
    // Other keys are not affected.
    mvc.perform(as(ALICE, get("/v1/models"))).andExpect(status().isOk());
  }

  @Test
  void aTenantAtItsInFlightLimitGets429ButAnIdempotentRetryGoesThrough() throws Exception {
    mvc.perform(as(BUSY, submit("a=1;a?")).header("Idempotency-Key", "first"))
        .andExpect(status().isAccepted());
    submitted(BUSY, "a=2;a?");

    mvc.perform(as(BUSY, submit("a=3;a?")))
        .andExpect(status().isTooManyRequests())
        .andExpect(header().string(HttpHeaders.RETRY_AFTER, "1"))
        .andExpect(jsonPath("$.type").value("https://loopserve.dev/problems/too-many-in-flight"))
        .andExpect(jsonPath("$.max_in_flight").value(2));
    mvc.perform(as(BUSY, submit("a=1;a?")).header("Idempotency-Key", "first"))
        .andExpect(status().isAccepted());
  }

  @Test
  void aPromptLargerThanTheKeyAllowsIs413() throws Exception {
    mvc.perform(as(SMALL, submit("a=1;b=2;a?")))
        .andExpect(status().is(413))
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.type").value("https://loopserve.dev/problems/prompt-too-large"))
        .andExpect(jsonPath("$.max_prompt_chars").value(8))
        .andExpect(jsonPath("$.prompt_chars").value(10));
    mvc.perform(as(SMALL, submit("a=1;a?"))).andExpect(status().isAccepted());
  }

  @Test
  void probesAndTheApiDocumentNeedNoKeyOnTheRealPorts() throws Exception {
    HttpResponse<String> liveness =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/liveness"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(liveness.statusCode()).isEqualTo(200);

    HttpResponse<String> models =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(models.statusCode()).isEqualTo(401);
    assertThat(models.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));

    HttpResponse<String> docs =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v3/api-docs")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(docs.statusCode()).isEqualTo(200);
    var schemes = json.readTree(docs.body()).get("components").get("securitySchemes");
    assertThat(schemes.get("bearer").get("scheme").asString()).isEqualTo("bearer");
    assertThat(schemes.get("api-key").get("name").asString()).isEqualTo("X-API-Key");
    assertThat(json.readTree(docs.body()).get("paths").has("/admin/tenants")).isTrue();
  }
}
