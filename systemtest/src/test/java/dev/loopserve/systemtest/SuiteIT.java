package dev.loopserve.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The suite as a user runs it: real KRaft broker, scheduler, inference and gateway as separate
 * processes, driven over HTTP. Checks the shipped model's reference completions end to end and
 * prints a latency report (figures are printed, never asserted).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SuiteIT {

  private static final String MODEL = "loop-demo";
  private static final int LATENCY_REQUESTS = 200;

  private static final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private static LoopserveSuite suite;
  private static GatewayClient client;
  private static List<JsonNode> cases;

  record Case(String prompt, int r, int maxTokens, String completion) {}

  @BeforeAll
  static void startSuite() throws Exception {
    suite = LoopserveSuite.start(http);
    client = new GatewayClient(http, suite.gatewayUrl());
    JsonNode reference =
        JsonMapper.builder()
            .build()
            .readTree(Files.readString(suite.models.resolve(MODEL).resolve("reference.json")));
    cases = new ArrayList<>();
    reference.get("cases").forEach(cases::add);
  }

  @AfterAll
  static void stopSuite() throws Exception {
    if (suite != null) {
      suite.close();
    }
  }

  @Test
  @Order(1)
  void everyReferencePromptGetsItsReferenceCompletionAtItsForcedDepth() throws Exception {
    assertThat(cases).isNotEmpty();
    // All in flight at once, as clients would send them; the workers batch across depths.
    Map<String, Case> submitted = new LinkedHashMap<>();
    for (JsonNode c : cases) {
      Case k =
          new Case(
              c.get("prompt").asString(),
              c.get("r").asInt(),
              c.get("max_tokens").asInt(),
              c.get("completion").asString());
      submitted.put(client.submit(MODEL, k.prompt(), k.maxTokens(), k.r()), k);
    }

    List<String> mismatches = new ArrayList<>();
    for (var entry : submitted.entrySet()) {
      Case k = entry.getValue();
      JsonNode view;
      try {
        view = client.awaitDone(entry.getKey(), Duration.ofMinutes(2), Duration.ofMillis(20));
      } catch (IllegalStateException e) {
        throw new AssertionError(e.getMessage() + "\n" + suite.tails(40), e);
      }
      String text = view.path("text").asString(null);
      List<Integer> steps = new ArrayList<>();
      view.path("steps_per_token").forEach(s -> steps.add(s.asInt()));
      boolean ok =
          "succeeded".equals(view.path("status").asString())
              && k.completion().equals(text)
              && steps.stream().allMatch(s -> s == k.r());
      if (!ok) {
        mismatches.add(
            String.format(
                "%s r=%d: expected '%s', got status=%s text='%s' steps=%s error=%s",
                k.prompt(),
                k.r(),
                k.completion(),
                view.path("status").asString(),
                text,
                steps,
                view.path("error").asString(null)));
      }
    }
    System.out.printf(
        "Reference completions: %d/%d matched end to end%n",
        submitted.size() - mismatches.size(), submitted.size());
    assertThat(mismatches).as("cases that did not match the reference").isEmpty();
  }

  @Test
  @Order(2)
  void latencyReportAtIdle() throws Exception {
    int n = LATENCY_REQUESTS;
    long[] clientE2e = new long[n];
    long[] serverE2e = new long[n];
    long[] compute = new long[n];
    long[] overhead = new long[n];
    long[] toScheduler = new long[n];
    long[] toWorker = new long[n];
    long[] inWorker = new long[n];
    for (int i = 0; i < n; i++) {
      JsonNode c = cases.get(i % cases.size());
      long start = System.nanoTime();
      String id =
          client.submit(
              MODEL, c.get("prompt").asString(), c.get("max_tokens").asInt(), c.get("r").asInt());
      JsonNode view = client.awaitDone(id, Duration.ofMinutes(1), Duration.ofMillis(1));
      clientE2e[i] = System.nanoTime() - start;
      assertThat(view.path("status").asString()).isEqualTo("succeeded");
      JsonNode t = view.get("timings");
      serverE2e[i] = (t.get("finished_at").asLong() - t.get("submitted_at").asLong()) * 1_000_000;
      compute[i] = view.get("compute_nanos").asLong();
      overhead[i] = serverE2e[i] - compute[i];
      toScheduler[i] = millisBetween(t, "submitted_at", "scheduled_at");
      toWorker[i] = millisBetween(t, "scheduled_at", "started_at");
      inWorker[i] = millisBetween(t, "started_at", "finished_at") - compute[i];
    }
    long[] clientOverhead = new long[n];
    for (int i = 0; i < n; i++) {
      clientOverhead[i] = clientE2e[i] - compute[i];
    }
    System.out.println();
    System.out.printf(
        "Latency at idle, %d sequential requests (reference prompts, forced r), ms:%n", n);
    System.out.println(row("", "p50", "p90", "p99", "max"));
    System.out.println(row("client end-to-end (HTTP, 1 ms polling)", clientE2e));
    System.out.println(row("server end-to-end (finished - submitted)", serverE2e));
    System.out.println(row("model compute (computeNanos)", compute));
    System.out.println(row("suite overhead (server e2e - compute)", overhead));
    System.out.println(row("client e2e - compute", clientOverhead));
    System.out.println("  where the suite overhead goes (epoch-ms stamps, so +-1 ms each):");
    System.out.println(row("  gateway accepted -> scheduled", toScheduler));
    System.out.println(row("  scheduled -> worker started", toWorker));
    System.out.println(row("  worker started -> finished, less compute", inWorker));
    System.out.println();
  }

  private static long millisBetween(JsonNode timings, String from, String to) {
    return (timings.get(to).asLong() - timings.get(from).asLong()) * 1_000_000;
  }

  private static String row(String label, long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    return row(label, ms(pct(s, 50)), ms(pct(s, 90)), ms(pct(s, 99)), ms(s[s.length - 1]));
  }

  private static String row(String label, String p50, String p90, String p99, String max) {
    return String.format(Locale.ROOT, "  %-42s %9s %9s %9s %9s", label, p50, p90, p99, max);
  }

  private static long pct(long[] sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }
}
