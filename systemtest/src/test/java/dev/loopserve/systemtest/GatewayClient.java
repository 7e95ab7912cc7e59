package dev.loopserve.systemtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** A client of the public HTTP API, as a user would write one. */
final class GatewayClient {

  static final Set<String> TERMINAL = Set.of("succeeded", "failed", "expired", "cancelled");

  private final HttpClient http;
  private final String baseUrl;
  private final JsonMapper json = JsonMapper.builder().build();

  GatewayClient(HttpClient http, String baseUrl) {
    this.http = http;
    this.baseUrl = baseUrl;
  }

  /** Submits a prompt with its depth forced to {@code r}; returns the request id. */
  String submit(String model, String prompt, int maxTokens, int r)
      throws IOException, InterruptedException {
    ObjectNode body = json.createObjectNode();
    body.put("model", model);
    body.put("prompt", prompt);
    body.put("max_tokens", maxTokens);
    ObjectNode recurrence = body.putObject("recurrence");
    recurrence.put("min_steps", r);
    recurrence.put("max_steps", r);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(baseUrl + "/v1/prompts"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 202) {
      throw new IllegalStateException(
          "submit answered " + response.statusCode() + ": " + response.body());
    }
    return json.readTree(response.body()).get("id").asString();
  }

  JsonNode get(String id) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(baseUrl + "/v1/prompts/" + id)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "get answered " + response.statusCode() + ": " + response.body());
    }
    return json.readTree(response.body());
  }

  /** Polls every {@code interval} until the prompt reaches a terminal status. */
  JsonNode awaitDone(String id, Duration timeout, Duration interval)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode view = get(id);
      if (TERMINAL.contains(view.path("status").asString())) {
        return view;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "prompt " + id + " not done after " + timeout + ": " + view);
      }
      Thread.sleep(interval.toMillis(), (int) (interval.toNanos() % 1_000_000));
    }
  }
}
