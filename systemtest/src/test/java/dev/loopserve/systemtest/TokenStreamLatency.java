package dev.loopserve.systemtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Measures how long a generated token takes from the worker to an SSE client: each client submits a
 * prompt, opens {@code /v1/prompts/{id}/events} at once and, for every {@code token} event,
 * compares the time it arrived with the event's {@code produced_at} (the worker's clock; all
 * processes run on this machine, so the wall clocks agree).
 *
 * <p>{@code produced_at} is whole epoch milliseconds (floored), so each lag reads 0–1 ms high. A
 * token produced before its stream was open is replayed on connect; it is counted apart and left
 * out, since its lag is the client's own delay.
 */
final class TokenStreamLatency {

  /**
   * @param lagMicros per token: received − produced_at
   * @param receivedGapMicros per token after the first of its prompt: received − previous received
   * @param producedGapMillis per token after the first of its prompt: produced_at − previous one
   * @param outcomes final status of each measured prompt, or the exception that ended its stream
   */
  record Run(
      int clients,
      int prompts,
      Duration elapsed,
      Histogram lagMicros,
      Histogram receivedGapMicros,
      Histogram producedGapMillis,
      long replayed,
      Map<String, Long> outcomes) {}

  private final HttpClient http;
  private final String gatewayUrl;
  private final List<String> bodies;
  private final JsonMapper json = JsonMapper.builder().build();

  /**
   * @param bodies JSON bodies of {@code POST /v1/prompts}, used in turn
   */
  TokenStreamLatency(HttpClient http, String gatewayUrl, List<String> bodies) {
    this.http = http;
    this.gatewayUrl = gatewayUrl;
    this.bodies = List.copyOf(bodies);
  }

  /** {@code clients} threads share the prompts; the first {@code warmUp} are not measured. */
  Run run(int clients, int prompts, int warmUp) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    Recording recording = new Recording();
    long start = System.nanoTime();
    ExecutorService threads = Executors.newFixedThreadPool(clients);
    for (int c = 0; c < clients; c++) {
      threads.execute(
          () -> {
            for (int n = next.getAndIncrement(); n < warmUp + prompts; n = next.getAndIncrement()) {
              String outcome;
              try {
                outcome = streamOne(bodies.get(n % bodies.size()), n >= warmUp ? recording : null);
              } catch (IOException | RuntimeException e) {
                outcome = e.getClass().getSimpleName() + ": " + e.getMessage();
              } catch (InterruptedException e) {
                return;
              }
              if (n >= warmUp) {
                recording.outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
              }
            }
          });
    }
    threads.shutdown();
    if (!threads.awaitTermination(30, TimeUnit.MINUTES)) {
      threads.shutdownNow();
    }
    Map<String, Long> outcomes = new TreeMap<>();
    recording.outcomes.forEach((k, v) -> outcomes.put(k, v.sum()));
    return new Run(
        clients,
        prompts,
        Duration.ofNanos(System.nanoTime() - start),
        recording.lagMicros,
        recording.receivedGapMicros,
        recording.producedGapMillis,
        recording.replayed.sum(),
        outcomes);
  }

  /** Submits, streams to the end, records into {@code recording} unless null; the final status. */
  private String streamOne(String body, Recording recording)
      throws IOException, InterruptedException {
    HttpResponse<String> accepted =
        http.send(
            HttpRequest.newBuilder(URI.create(gatewayUrl + "/v1/prompts"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (accepted.statusCode() != 202) {
      return "submit " + accepted.statusCode();
    }
    String id = json.readTree(accepted.body()).get("id").asString();
    HttpResponse<Stream<String>> events =
        http.send(
            HttpRequest.newBuilder(URI.create(gatewayUrl + "/v1/prompts/" + id + "/events"))
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofMinutes(2))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    if (events.statusCode() != 200) {
      return "events " + events.statusCode();
    }
    try (Stream<String> lines = events.body()) {
      String event = "message";
      long openedMillis = Long.MAX_VALUE;
      long previousReceived = -1;
      long previousProduced = -1;
      for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
        String line = it.next();
        long received = epochMicros();
        if (line.startsWith("event:")) {
          event = line.substring("event:".length()).trim();
        } else if (line.startsWith("data:")) {
          JsonNode data = json.readTree(line.substring("data:".length()));
          switch (event) {
            case "queued" -> openedMillis = received / 1000;
            case "token" -> {
              long produced = data.get("produced_at").asLong();
              if (recording == null) {
                continue;
              }
              if (produced < openedMillis) {
                recording.replayed.increment();
              } else {
                recording.lagMicros.recordValue(Math.max(0, received - produced * 1000));
                if (previousReceived >= 0) {
                  recording.receivedGapMicros.recordValue(received - previousReceived);
                  recording.producedGapMillis.recordValue(Math.max(0, produced - previousProduced));
                }
              }
              previousReceived = received;
              previousProduced = produced;
            }
            case "done" -> {
              return data.path("status").asString();
            }
            default -> {}
          }
        }
      }
      return "stream ended before done";
    }
  }

  private static long epochMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
  }

  private static final class Recording {
    final Histogram lagMicros = new ConcurrentHistogram(3);
    final Histogram receivedGapMicros = new ConcurrentHistogram(3);
    final Histogram producedGapMillis = new ConcurrentHistogram(3);
    final LongAdder replayed = new LongAdder();
    final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  }
}
