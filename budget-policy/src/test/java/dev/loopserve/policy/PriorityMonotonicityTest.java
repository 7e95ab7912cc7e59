package dev.loopserve.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property: for the same request and queue, a more important class never gets a smaller budget.
 * Checked on thousands of random fleets, queues, arrival rates and requests, both on fresh policies
 * and on one long-lived policy whose hysteresis state the trials keep moving.
 */
class PriorityMonotonicityTest {
  private static final String MODEL = "m";
  private static final ModelProfile PROFILE =
      ModelProfile.builder(MODEL).recurrence(1, 8, 32).cost(1.0, 0).build();
  // The lower classes have looser targets and thinner margins, so on their own they would often
  // claim more recurrences than interactive: the cap has work to do.
  private static final PolicyConfig CONFIG =
      PolicyConfig.builder()
          .classTarget(PriorityClass.INTERACTIVE, Duration.ofMillis(200), 0.3)
          .classTarget(PriorityClass.STANDARD, Duration.ofSeconds(1), 0.2)
          .classTarget(PriorityClass.BATCH, Duration.ofSeconds(10), 0.05)
          .raiseHoldoff(Duration.ofMillis(300))
          .build();

  @Test
  void moreImportantClassesNeverGetSmallerBudgetsOnFreshPolicies() {
    Random random = new Random(20260101);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    int capped = 0;
    for (int trial = 0; trial < 3000; trial++) {
      RecurrenceBudgetPolicy policy = new RecurrenceBudgetPolicy(CONFIG, ModelCatalog.of(PROFILE));
      Map<PriorityClass, Decision> d = decideAll(policy, randomLoad(random, now), random, now);
      assertMonotone(d, trial);
      capped += d.get(PriorityClass.BATCH).reason() == Decision.Reason.PRIORITY_CAP ? 1 : 0;
    }
    assertThat(capped).as("trials where the cap mattered").isGreaterThan(300);
  }

  @Test
  void moreImportantClassesNeverGetSmallerBudgetsAsStateEvolves() {
    Random random = new Random(42);
    RecurrenceBudgetPolicy policy = new RecurrenceBudgetPolicy(CONFIG, ModelCatalog.of(PROFILE));
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    for (int trial = 0; trial < 3000; trial++) {
      now = now.plusMillis(random.nextInt(200));
      assertMonotone(decideAll(policy, randomLoad(random, now), random, now), trial);
    }
  }

  private static void assertMonotone(Map<PriorityClass, Decision> d, int trial) {
    int interactive = d.get(PriorityClass.INTERACTIVE).steps();
    int standard = d.get(PriorityClass.STANDARD).steps();
    int batch = d.get(PriorityClass.BATCH).steps();
    assertThat(interactive)
        .as("trial %d: interactive vs standard", trial)
        .isGreaterThanOrEqualTo(standard);
    assertThat(standard).as("trial %d: standard vs batch", trial).isGreaterThanOrEqualTo(batch);
  }

  /** The same request in every class, decided in a random order against the same snapshot. */
  private static Map<PriorityClass, Decision> decideAll(
      RecurrenceBudgetPolicy policy, LoadSnapshot load, Random random, Instant now) {
    RequestParams.Builder b =
        RequestParams.builder("r", MODEL)
            .submittedAt(now.minusMillis(random.nextInt(300)))
            .maxTokens(1 + random.nextInt(8));
    if (random.nextInt(3) == 0) {
      b.latencyTarget(Duration.ofMillis(20 + random.nextInt(5000)));
    }
    if (random.nextInt(5) == 0) {
      b.deadline(now.plusMillis(random.nextInt(3000)));
    }
    if (random.nextInt(4) == 0) {
      int lo = 1 + random.nextInt(40);
      b.steps(lo, random.nextBoolean() ? null : lo + random.nextInt(40));
    }
    RequestParams request = b.build();
    List<PriorityClass> order = new ArrayList<>(List.of(PriorityClass.values()));
    Collections.shuffle(order, random);
    Map<PriorityClass, Decision> out = new EnumMap<>(PriorityClass.class);
    for (PriorityClass c : order) {
      out.put(c, policy.decide(request.withPriority(c), load));
    }
    return out;
  }

  private static LoadSnapshot randomLoad(Random random, Instant now) {
    LoadSnapshot.Builder b = LoadSnapshot.builder(MODEL, now);
    int workers = random.nextInt(5); // 0 = cold start
    int slots = 0;
    for (int w = 0; w < workers; w++) {
      int maxBatch = 1 + random.nextInt(32);
      slots += maxBatch;
      double t1 = 0.0005 + random.nextDouble() * 0.005;
      StepTimeCurve curve =
          random.nextInt(6) == 0
              ? null
              : StepTimeCurve.linear(t1, maxBatch, t1 * (1 + random.nextDouble() * (maxBatch - 1)));
      b.worker(new WorkerLoad("w" + w, maxBatch, random.nextInt(maxBatch + 1), curve, now));
    }
    int outstanding = random.nextInt(600);
    int running = Math.min(outstanding, random.nextInt(slots + 1));
    double meanWork = 2 + random.nextDouble() * 100;
    b.outstanding(
        outstanding, running, outstanding * meanWork * (0.3 + 0.7 * random.nextDouble()), meanWork);
    for (PriorityClass c : PriorityClass.values()) {
      if (random.nextBoolean()) {
        b.arrivalRate(c, random.nextDouble() * 300);
      }
    }
    return b.meanDefaultWork(random.nextDouble() * 50).build();
  }
}
