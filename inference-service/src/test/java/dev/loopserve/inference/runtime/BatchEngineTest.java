package dev.loopserve.inference.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import ai.onnxruntime.OrtEnvironment;
import dev.loopserve.inference.TestModels;
import dev.loopserve.inference.model.LoadedModel;
import dev.loopserve.inference.model.ModelManifest.StateInit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A request's output is the same alone or in any batch: every request of a deliberately mixed set
 * (lengths, budgets, exit criteria, warm start, random starts, sampling, stop sequences,
 * max_context) is run alone with {@link SequentialGenerator}, then together through {@link
 * BatchEngine} under several batch sizes and arrival patterns.
 */
class BatchEngineTest {

  private static final StateInit ZEROS = new StateInit(StateInit.ZEROS, 0);
  private static final StateInit RANDOM = new StateInit(StateInit.TRUNCATED_NORMAL, 1.0);

  private static LoadedModel model;
  private static List<GenerationRequest> requests;
  private static Map<String, Run> alone;

  record Run(GenerationResult result, List<float[]> logits) {}

  @BeforeAll
  static void runEachAlone() {
    model = TestModels.demo();
    requests = mixedRequests();
    alone = new ConcurrentHashMap<>();
    var generator = new SequentialGenerator(OrtEnvironment.getEnvironment(), model);
    for (GenerationRequest r : requests) {
      List<float[]> logits = new ArrayList<>();
      alone.put(
          r.id(), new Run(generator.generate(r, t -> logits.add(t.logits()), () -> false), logits));
    }
  }

  @Test
  void theMixCoversEveryExitAndFinish() {
    Collection<Run> runs = alone.values();
    assertThat(
            runs.stream().flatMap(r -> r.result.exitReasons().stream()).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(ExitReason.BUDGET, ExitReason.STATE_DELTA, ExitReason.KL);
    assertThat(runs.stream().map(r -> r.result.finishReason()).collect(Collectors.toSet()))
        .contains(FinishReason.EOS, FinishReason.LENGTH, FinishReason.STOP);
    assertThat(runs.stream().map(r -> r.result.status())).contains(GenerationResult.Status.FAILED);
    assertThat(alone.get("stop").result.text()).isEmpty();
    assertThat(runs.stream().mapToInt(r -> r.result.tokenIds().length).max().orElseThrow())
        .as("some request runs for many tokens, so lengths in a batch keep changing")
        .isGreaterThanOrEqualTo(5);
    for (GenerationRequest r : requests) {
      for (int steps : alone.get(r.id()).result.stepsPerToken()) {
        assertThat(steps).isBetween(r.recurrence().minSteps(), r.recurrence().maxSteps());
      }
    }
  }

  @Test
  void allAtOnceInOneBatch() throws Exception {
    assertSameAsAlone(run(16, Duration.ZERO, 0));
  }

  @Test
  void smallBatchMakesRequestsJoinMidFlight() throws Exception {
    assertSameAsAlone(run(3, Duration.ZERO, 0));
  }

  @Test
  void staggeredArrivalsWithABatchWait() throws Exception {
    assertSameAsAlone(run(8, Duration.ofMillis(2), 7));
  }

  @Test
  void smallChunksOnParallelWorkers() throws Exception {
    assertSameAsAlone(run(16, Duration.ZERO, 0, 64, 3));
  }

  @Test
  void cancellationStopsAtTheNextStep() throws Exception {
    try (BatchEngine engine =
        BatchEngine.builder(OrtEnvironment.getEnvironment(), model).maxBatch(4).build()) {
      // Hot sampling from a short prompt often ends at once; take the first seed that does not.
      var generator = new SequentialGenerator(OrtEnvironment.getEnvironment(), model);
      GenerationRequest request = null;
      for (long seed = 1; seed <= 64 && request == null; seed++) {
        var candidate =
            new GenerationRequest(
                "long",
                model.tokenizer().encode("a=1;a?"),
                100,
                RecurrencePlan.fixed(4),
                new SamplingPlan(3.0, 0, 1, List.of()),
                ZEROS,
                seed);
        if (generator.generate(candidate, t -> {}, () -> false).tokenIds().length >= 3) {
          request = candidate;
        }
      }
      assertThat(request).as("some seed runs past its first tokens").isNotNull();
      List<GeneratedToken> tokens = new CopyOnWriteArrayList<>();
      AtomicReference<Ticket> ticket = new AtomicReference<>();
      // Cancel from the listener of the first token: deterministic, unlike a race with a poller.
      ticket.set(
          engine.submit(
              request,
              t -> {
                tokens.add(t);
                await().atMost(Duration.ofSeconds(5)).until(() -> ticket.get() != null);
                ticket.get().cancel();
              }));
      GenerationResult result = ticket.get().result().get(30, TimeUnit.SECONDS);
      assertThat(result.status()).isEqualTo(GenerationResult.Status.CANCELLED);
      assertThat(result.tokenIds()).hasSize(1);
      assertThat(tokens).hasSize(1);
      assertThat(result.finishReason()).isNull();
    }
  }

  @Test
  void reportsQueueAndBatchInStats() throws Exception {
    try (BatchEngine engine =
        BatchEngine.builder(OrtEnvironment.getEnvironment(), model).maxBatch(2).build()) {
      assertThat(engine.stats().maxBatch()).isEqualTo(2);
      List<Ticket> tickets = new ArrayList<>();
      for (GenerationRequest r : requests) {
        tickets.add(engine.submit(r, TokenListener.NONE));
      }
      for (Ticket t : tickets) {
        t.result().get(60, TimeUnit.SECONDS);
      }
      assertThat(engine.stats().secondsPerStep()).isPositive();
      assertThat(engine.stats().running()).isZero();
    }
  }

  private Map<String, Run> run(int maxBatch, Duration wait, long gapMillis) throws Exception {
    return run(maxBatch, wait, gapMillis, 512, 1);
  }

  private Map<String, Run> run(
      int maxBatch, Duration wait, long gapMillis, int maxCallPositions, int parallelism)
      throws Exception {
    Map<String, List<float[]>> logits = new ConcurrentHashMap<>();
    Map<String, Ticket> tickets = new java.util.LinkedHashMap<>();
    try (BatchEngine engine =
        BatchEngine.builder(OrtEnvironment.getEnvironment(), model)
            .maxBatch(maxBatch)
            .batchWait(wait)
            .maxCallPositions(maxCallPositions)
            .parallelism(parallelism)
            .build()) {
      for (GenerationRequest r : requests) {
        List<float[]> mine = new CopyOnWriteArrayList<>();
        logits.put(r.id(), mine);
        tickets.put(r.id(), engine.submit(r, t -> mine.add(t.logits())));
        if (gapMillis > 0) {
          Thread.sleep(gapMillis);
        }
      }
      Map<String, Run> out = new java.util.HashMap<>();
      for (var e : tickets.entrySet()) {
        out.put(
            e.getKey(),
            new Run(e.getValue().result().get(120, TimeUnit.SECONDS), logits.get(e.getKey())));
      }
      return out;
    }
  }

  private static void assertSameAsAlone(Map<String, Run> batched) {
    for (GenerationRequest r : requests) {
      Run expected = alone.get(r.id());
      Run actual = batched.get(r.id());
      String what = "request " + r.id();
      assertThat(actual.result.status()).as(what).isEqualTo(expected.result.status());
      assertThat(actual.result.tokenIds()).as(what).containsExactly(expected.result.tokenIds());
      assertThat(actual.result.text()).as(what).isEqualTo(expected.result.text());
      assertThat(actual.result.stepsPerToken())
          .as(what)
          .containsExactly(expected.result.stepsPerToken());
      assertThat(actual.result.exitReasons())
          .as(what)
          .containsExactlyElementsOf(expected.result.exitReasons());
      assertThat(actual.result.finishReason()).as(what).isEqualTo(expected.result.finishReason());
      assertThat(actual.logits).as(what).hasSameSizeAs(expected.logits);
      for (int t = 0; t < expected.logits.size(); t++) {
        float[] e = expected.logits.get(t);
        float[] a = actual.logits.get(t);
        for (int v = 0; v < e.length; v++) {
          assertThat(a[v]).as("%s token %d logit %d", what, t, v).isCloseTo(e[v], within(1e-4f));
        }
      }
    }
  }

  private static List<GenerationRequest> mixedRequests() {
    List<GenerationRequest> out = new ArrayList<>();
    // Flat enough that <eos> is rare whatever the weights: long, growing sequences.
    SamplingPlan hot = new SamplingPlan(50.0, 0, 1, List.of());
    add(
        out,
        "greedy-r8",
        "a=3;b=a+4;c=b*2;c?",
        4,
        RecurrencePlan.fixed(8),
        SamplingPlan.GREEDY,
        ZEROS,
        0);
    add(
        out,
        "greedy-r3-long",
        "a=3;b=a+4;c=b*2;d=c-1;e=d+a;f=e*b;f?",
        4,
        RecurrencePlan.fixed(3),
        SamplingPlan.GREEDY,
        ZEROS,
        0);
    add(
        out,
        "state-delta",
        "x=7;y=x*3;y?",
        4,
        new RecurrencePlan(2, 32, 0.05, 0, false),
        SamplingPlan.GREEDY,
        ZEROS,
        0);
    add(
        out,
        "kl",
        "p=4;q=p+p;r=q*q;r?",
        4,
        new RecurrencePlan(1, 32, 0, 0.001, false),
        SamplingPlan.GREEDY,
        ZEROS,
        0);
    add(
        out,
        "both-warm-random",
        "m=9;n=m-3;n?",
        6,
        new RecurrencePlan(3, 24, 0.02, 0.0001, true),
        SamplingPlan.GREEDY,
        RANDOM,
        7);
    add(
        out,
        "nucleus",
        "a=1;b=2;c=a+b;c?",
        12,
        RecurrencePlan.fixed(4),
        new SamplingPlan(1.5, 10, 0.9, List.of()),
        ZEROS,
        11);
    add(
        out,
        "hot-warm-exit",
        "k=5;k?",
        20,
        new RecurrencePlan(1, 16, 0.05, 0, true),
        hot,
        RANDOM,
        3);
    add(
        out,
        "stop",
        "s=8;t=s+1;t?",
        40,
        RecurrencePlan.fixed(2),
        // Every answer is a digit, so this stops at the first token whatever the weights.
        new SamplingPlan(0, 0, 1, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")),
        ZEROS,
        5);
    add(
        out,
        "one-token",
        "s=8;t=s+1;t?",
        1,
        RecurrencePlan.fixed(5),
        SamplingPlan.GREEDY,
        ZEROS,
        0);
    add(out, "kl-hot", "z=2;z?", 10, new RecurrencePlan(2, 12, 0, 0.01, false), hot, ZEROS, 13);
    // 126 tokens with <bos>: room for two more before max_context (128).
    String longPrompt = "a=1;" + "b=a+1;".repeat(20) + "b?";
    add(out, "max-context", longPrompt, 100, RecurrencePlan.fixed(2), hot, ZEROS, 17);
    add(
        out,
        "too-long",
        "a=1;".repeat(40) + "a?",
        4,
        RecurrencePlan.fixed(2),
        SamplingPlan.GREEDY,
        ZEROS,
        0);
    return out;
  }

  private static void add(
      List<GenerationRequest> out,
      String id,
      String prompt,
      int maxTokens,
      RecurrencePlan plan,
      SamplingPlan sampling,
      StateInit init,
      long seed) {
    out.add(
        new GenerationRequest(
            id, model.tokenizer().encode(prompt), maxTokens, plan, sampling, init, seed));
  }
}
