package dev.loopserve.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.PolicySnapshot;
import dev.loopserve.messages.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.binder.test.OutputDestination;
import org.springframework.cloud.stream.binder.test.TestChannelBinderConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.messaging.Message;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /v1/policy} and {@code PUT /v1/policy/{model}} over real HTTP, with the policy topic
 * on the test binder. The admin token is "s3cret"; only its SHA-256 is configured.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.cloud.stream.default-binder=integration",
      "management.server.port=0",
      // @SpringBootTest turns metric export off; the scrape endpoint is what this checks.
      "management.defaults.metrics.export.enabled=true",
      "loopserve.scheduler.models-dir=src/test/resources/models",
      "loopserve.scheduler.recovery=false",
      "loopserve.scheduler.lag-interval=1h",
      "loopserve.scheduler.policy-interval=1h",
      "loopserve.scheduler.admin.token-sha256="
          + "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0"
    })
@Import(TestChannelBinderConfiguration.class)
@DirtiesContext
class PolicyApiTest {

  static final String TOKEN = "s3cret";

  @LocalServerPort int port;
  @LocalManagementPort int managementPort;
  @Autowired OutputDestination output;

  private final HttpClient http = HttpClient.newHttpClient();
  private final JsonMapper json = JsonMapper.builder().build();
  private final MessageCodec codec = new MessageCodec();

  @Test
  void listsThePolicyOfEveryModelWithAPackage() throws Exception {
    HttpResponse<String> r = send("GET", "/v1/policy", null, null);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode tiny = json.readTree(r.body()).get(0);
    assertThat(tiny.get("model").asString()).isEqualTo("tiny");
    assertThat(tiny.get("minSteps").asInt()).isEqualTo(1);
    assertThat(tiny.get("maxSteps").asInt()).isEqualTo(16);
    assertThat(tiny.get("defaultSteps").asInt()).isEqualTo(4);
    assertThat(tiny.get("replicasNeeded").asInt()).isEqualTo(1);
  }

  @Test
  void anOperatorOverrideIsInForceAndPublished() throws Exception {
    HttpResponse<String> r =
        send(
            "PUT",
            "/v1/policy/tiny",
            "Bearer " + TOKEN,
            "{\"minSteps\":2,\"maxSteps\":8,\"latencyTargetsMs\":{\"interactive\":300}}");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = json.readTree(r.body());
    assertThat(body.get("minSteps").asInt()).isEqualTo(2);
    assertThat(body.get("maxSteps").asInt()).isEqualTo(8);
    assertThat(body.at("/details/latencyTargetsMs/interactive").asLong()).isEqualTo(300);
    Message<byte[]> published = output.receive(5_000, Topics.POLICY);
    assertThat(published).isNotNull();
    PolicySnapshot snapshot = codec.read(published.getPayload(), PolicySnapshot.class);
    assertThat(snapshot.model()).isEqualTo("tiny");
    assertThat(snapshot.version()).isEqualTo(body.get("version").asLong()).isGreaterThan(1);
    assertThat(
            json.readTree(send("GET", "/v1/policy/tiny", null, null).body())
                .get("maxSteps")
                .asInt())
        .isEqualTo(8);
  }

  @Test
  void prometheusScrapesTheSchedulerMetersPerModel() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("loopserve_desired_replicas{model=\"tiny\"} 1.0")
        .contains("loopserve_assigned_max_steps_bucket{model=\"tiny\"")
        .contains("loopserve_decisions_total{model=\"tiny\"}")
        .contains("loopserve_decisions_degraded_total{model=\"tiny\"}");
  }

  @Test
  void aMissingOrWrongCredentialIs401() throws Exception {
    for (String auth : new String[] {null, "Bearer nope", "Basic czNjcmV0", "Bearer"}) {
      HttpResponse<String> r = send("PUT", "/v1/policy/tiny", auth, "{\"maxSteps\":8}");
      assertProblem(r, 401);
      assertThat(r.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }
  }

  @Test
  void malformedJsonIsAProblem() throws Exception {
    assertProblem(send("PUT", "/v1/policy/tiny", "Bearer " + TOKEN, "{\"minSteps\":"), 400);
    assertProblem(send("PUT", "/v1/policy/tiny", "Bearer " + TOKEN, "{\"minSteps\":\"x\"}"), 400);
  }

  @Test
  void minAboveMaxIsAProblem() throws Exception {
    HttpResponse<String> r =
        send("PUT", "/v1/policy/tiny", "Bearer " + TOKEN, "{\"minSteps\":8,\"maxSteps\":4}");
    assertProblem(r, 400);
    assertThat(json.readTree(r.body()).get("detail").asString()).contains("above maxSteps");
  }

  @Test
  void stepsOutsideTheManifestRangeAreAProblem() throws Exception {
    HttpResponse<String> r =
        send("PUT", "/v1/policy/tiny", "Bearer " + TOKEN, "{\"minSteps\":0,\"maxSteps\":17}");
    assertProblem(r, 400);
    assertThat(json.readTree(r.body()).get("problems")).hasSize(2);
  }

  @Test
  void badTargetsAreAProblem() throws Exception {
    assertProblem(
        send(
            "PUT", "/v1/policy/tiny", "Bearer " + TOKEN, "{\"latencyTargetsMs\":{\"urgent\":100}}"),
        400);
    assertProblem(
        send("PUT", "/v1/policy/tiny", "Bearer " + TOKEN, "{\"latencyTargetsMs\":{\"batch\":0}}"),
        400);
  }

  @Test
  void anUnknownModelIs404() throws Exception {
    assertProblem(send("PUT", "/v1/policy/nope", "Bearer " + TOKEN, "{\"maxSteps\":8}"), 404);
    assertProblem(send("GET", "/v1/policy/nope", null, null), 404);
  }

  private void assertProblem(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode body = json.readTree(r.body());
    assertThat(body.get("status").asInt()).isEqualTo(status);
    assertThat(body.get("title").asString()).isNotBlank();
  }

  private HttpResponse<String> send(String method, String path, String auth, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
