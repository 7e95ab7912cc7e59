package dev.loopserve.gateway.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.loopserve.messages.Budget;
import dev.loopserve.messages.FinishReason;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.Timings;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/** Against a real HTTP server on a free port. */
class CallbackDeliveryTest {

  private final PromptViews views = new PromptViews();
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final List<String> ids = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final List<Long> slept = new ArrayList<>();
  private HttpServer server;
  private CallbackDelivery delivery;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        exchange -> {
          bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          ids.add(exchange.getRequestHeaders().getFirst(CallbackDelivery.PROMPT_ID_HEADER));
          exchange.sendResponseHeaders(failuresLeft.getAndDecrement() > 0 ? 500 : 204, -1);
          exchange.close();
        });
    server.start();
    delivery =
        new CallbackDelivery(
            views,
            HttpClient.newHttpClient(),
            JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .build(),
            Duration.ofSeconds(5),
            3,
            Duration.ofMillis(100),
            slept::add);
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String hook() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  @Test
  void postsTheFinishedPromptWithItsIdInAHeader() {
    views.apply(prompt("r1", hook()));

    assertThat(delivery.deliver(result("r1"))).isTrue();

    assertThat(ids).containsExactly("r1");
    assertThat(bodies.get(0))
        .contains("\"status\":\"succeeded\"")
        .contains("\"text\":\"7\"")
        .contains("\"steps_per_token\":[4]");
  }

  @Test
  void retriesWithBackoffThenSucceeds() {
    views.apply(prompt("r1", hook()));
    failuresLeft.set(2);

    assertThat(delivery.deliver(result("r1"))).isTrue();

    assertThat(bodies).hasSize(3);
    assertThat(slept).containsExactly(100L, 200L);
  }

  @Test
  void givesUpAfterTheAttempts() {
    views.apply(prompt("r1", hook()));
    failuresLeft.set(10);

    assertThat(delivery.deliver(result("r1"))).isFalse();
    assertThat(bodies).hasSize(3);
  }

  @Test
  void aPromptWithoutACallbackIsLeftAlone() {
    views.apply(prompt("r1", null));

    assertThat(delivery.deliver(result("r1"))).isFalse();
    assertThat(bodies).isEmpty();
  }

  private static PromptSubmitted prompt(String id, String callbackUrl) {
    return new PromptSubmitted(
        id, "t", "m", "a=7;a?", 2, 1L, null, null, null, null, null, callbackUrl);
  }

  private static InferenceResult result(String id) {
    return new InferenceResult(
        id,
        "t",
        "m",
        InferenceResult.Status.SUCCEEDED,
        "7",
        List.of(3L),
        List.of(4),
        List.of(),
        FinishReason.EOS,
        Budget.fixed(4),
        new Timings(1L, 2L, 3L, 4L),
        1L,
        "w1",
        null);
  }
}
