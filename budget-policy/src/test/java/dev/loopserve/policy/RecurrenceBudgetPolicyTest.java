package dev.loopserve.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RecurrenceBudgetPolicyTest {
  static final String MODEL = "loop-demo";
  static final ModelProfile PROFILE =
      ModelProfile.builder(MODEL).recurrence(1, 8, 32).exit(0.01, 0.001).cost(1.0, 0).build();

  static PolicyConfig.Builder config() {
    return PolicyConfig.builder()
        .classTarget(PriorityClass.INTERACTIVE, Duration.ofMillis(100), 0.2)
        .classTarget(PriorityClass.STANDARD, Duration.ofMillis(400), 0.2)
        .classTarget(PriorityClass.BATCH, Duration.ofSeconds(4), 0.2);
  }

  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  final LoadTracker tracker = LoadTracker.builder(clock).build();
  RecurrenceBudgetPolicy policy =
      new RecurrenceBudgetPolicy(config().build(), ModelCatalog.of(PROFILE));
  int ids;

  RequestParams.Builder request(PriorityClass priority) {
    return RequestParams.builder("q" + ids++, MODEL)
        .priority(priority)
        .submittedAt(clock.instant())
        .maxTokens(2);
  }

  Decision decide(RequestParams.Builder request) {
    return policy.decide(request.build(), tracker.snapshot(MODEL));
  }

  void beat(String worker, double secondsPerStep, int batch, int maxBatch) {
    tracker.heartbeat(
        new WorkerSample(worker, MODEL, secondsPerStep, batch, maxBatch, maxBatch - batch, 0));
  }

  @Nested
  class IdleFleet {
    @Test
    void givesTheMaximumWhenItMeetsTheTarget() {
      beat("w1", 0.001, 1, 8);
      Decision d = decide(request(PriorityClass.INTERACTIVE));
      // 2 tokens * (32 + 1) steps * 1 ms = 66 ms, inside 100 ms * 0.8.
      assertThat(d.steps()).isEqualTo(32);
      assertThat(d.degraded()).isFalse();
      assertThat(d.reason()).isEqualTo(Decision.Reason.FITS);
      assertThat(d.predictedLatency()).isEqualTo(Duration.ofMillis(66));
      assertThat(d.workSteps()).isEqualTo(66);
      assertThat(d.defaultWorkSteps()).isEqualTo(18);
    }

    @Test
    void givesTheLargestBudgetThatMeetsATighterTarget() {
      beat("w1", 0.001, 1, 8);
      Decision d = decide(request(PriorityClass.INTERACTIVE).latencyTarget(Duration.ofMillis(50)));
      // 2 * (r + 1) ms <= 40 ms  ->  r = 19.
      assertThat(d.steps()).isEqualTo(19);
      assertThat(d.predictedLatency()).isLessThanOrEqualTo(Duration.ofMillis(40));
    }

    @Test
    void timeAlreadySpentAndDeadlinesCountAgainstTheTarget() {
      beat("w1", 0.001, 1, 8);
      Decision late =
          decide(
              request(PriorityClass.INTERACTIVE)
                  .submittedAt(clock.instant().minusMillis(20))); // 60 ms left of the 80 ms
      assertThat(late.steps()).isEqualTo(29);
      Decision deadline =
          decide(request(PriorityClass.BATCH).deadline(clock.instant().plusMillis(50)));
      assertThat(deadline.steps()).isEqualTo(19);
    }

    @Test
    void clampsTheRequestedRangeToTheManifestAndPassesExitSettingsThrough() {
      beat("w1", 0.001, 1, 8);
      Decision d =
          decide(request(PriorityClass.INTERACTIVE).steps(40, 50).exit(0.05, null).warmStart(true));
      assertThat(d.budget()).isEqualTo(new Budget(32, 32, 0.05, 0.001, true));

      Decision capped = decide(request(PriorityClass.INTERACTIVE).steps(2, 6));
      assertThat(capped.budget()).isEqualTo(new Budget(2, 6, 0.01, 0.001, false));
      assertThat(capped.policyVersion()).isEqualTo("recurrence-budget/1");
    }
  }

  @Test
  void budgetFallsAsTheQueueGrows() {
    for (int b = 1; b <= 4; b++) {
      beat("w1", 0.001 * (1 + 0.5 * (b - 1)), b, 4); // t(1) = 1 ms ... t(4) = 2.5 ms
    }
    List<Integer> budgets = new ArrayList<>();
    for (int round = 0; round < 8; round++) {
      budgets.add(decide(request(PriorityClass.STANDARD)).steps());
      for (int i = 0; i < 5; i++) {
        tracker.assigned("load" + round + "-" + i, MODEL, PriorityClass.STANDARD, 40, 18);
      }
    }
    assertThat(budgets).isSortedAccordingTo((a, b) -> Integer.compare(b, a));
    assertThat(budgets.get(0)).isEqualTo(32);
    assertThat(budgets.get(budgets.size() - 1)).isLessThan(8);
  }

  @Test
  void overloadFallsToTheSmallestAllowedBudgetAndSaysSo() {
    beat("w1", 0.002, 4, 4);
    for (int i = 0; i < 400; i++) {
      tracker.assigned("load" + i, MODEL, PriorityClass.STANDARD, 40, 18);
    }
    Decision d = decide(request(PriorityClass.STANDARD));
    assertThat(d.steps()).isEqualTo(1);
    assertThat(d.degraded()).isTrue();
    assertThat(d.reason()).isEqualTo(Decision.Reason.OVERLOAD);
    assertThat(d.predictedLatency()).isGreaterThan(Duration.ofMillis(400));

    Decision floor = decide(request(PriorityClass.STANDARD).steps(4, null));
    assertThat(floor.steps()).isEqualTo(4);
    assertThat(floor.degraded()).isTrue();
  }

  @Test
  void arrivalsFasterThanTheFleetCanRunABudgetPullItDown() {
    beat("w1", 0.001, 1, 1); // 1000 steps/s
    Decision idle = decide(request(PriorityClass.BATCH));
    assertThat(idle.steps()).isEqualTo(32);
    for (int i = 0; i < 1000; i++) { // 100 requests/s for 10 s, each done before the next
      tracker.assigned("a" + i, MODEL, PriorityClass.BATCH, 4, 18);
      tracker.completed("a" + i);
      clock.advance(Duration.ofMillis(10));
      beat("w1", 0.001, 1, 1);
    }
    // ~99 req/s (the 2 s window has nearly caught up) * 2 * (r + 1) <= 0.95 * 1000 steps/s.
    assertThat(decide(request(PriorityClass.BATCH)).steps()).isEqualTo(3);
  }

  @Test
  void coldStartUsesTheManifestDefaultAndAConservativeGuess() {
    Decision d = decide(request(PriorityClass.INTERACTIVE));
    assertThat(d.steps()).isEqualTo(8);
    assertThat(d.reason()).isEqualTo(Decision.Reason.COLD_START);
    assertThat(d.degraded()).isFalse();
    // 2 tokens * 9 steps * the 50 ms/step guess.
    assertThat(d.predictedLatency()).isEqualTo(Duration.ofMillis(900));
    assertThat(decide(request(PriorityClass.INTERACTIVE).steps(null, 4)).steps()).isEqualTo(4);
  }

  @Test
  void fleetGoingSilentReturnsToColdStart() {
    beat("w1", 0.001, 1, 8);
    assertThat(decide(request(PriorityClass.INTERACTIVE)).steps()).isEqualTo(32);
    clock.advance(Duration.ofSeconds(6));
    Decision d = decide(request(PriorityClass.INTERACTIVE));
    assertThat(d.reason()).isEqualTo(Decision.Reason.COLD_START);
    assertThat(d.steps()).isEqualTo(8);
  }

  @Test
  void rejectsUnknownModelsAndMismatchedSnapshots() {
    RequestParams other = RequestParams.builder("x", "other").submittedAt(clock.instant()).build();
    assertThatThrownBy(() -> policy.decide(other, tracker.snapshot("other")))
        .isInstanceOf(UnknownModelException.class);
    assertThatThrownBy(
            () -> policy.decide(request(PriorityClass.BATCH).build(), tracker.snapshot("other")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Nested
  class Hysteresis {
    /** Changes of r over 60 s of decisions every 100 ms, heartbeats with +-5% noise. */
    int changes(LoadTracker noisyTracker, MutableClock c, RecurrenceBudgetPolicy p) {
      Random noise = new Random(7);
      for (int i = 0; i < 100; i++) { // a standing queue: 100 requests of 20 steps
        noisyTracker.assigned("q" + i, MODEL, PriorityClass.STANDARD, 20, 18);
      }
      int changes = 0;
      int last = -1;
      for (int i = 0; i < 600; i++) {
        double t16 = 0.006 * (1 + 0.1 * (noise.nextDouble() - 0.5));
        noisyTracker.heartbeat(new WorkerSample("w1", MODEL, t16, 16, 16, 0, 0));
        RequestParams r =
            RequestParams.builder("d" + i, MODEL)
                .priority(PriorityClass.STANDARD)
                .submittedAt(c.instant())
                .latencyTarget(Duration.ofMillis(1050))
                .maxTokens(2)
                .build();
        int steps = p.decide(r, noisyTracker.snapshot(MODEL)).steps();
        if (last >= 0 && steps != last) {
          changes++;
        }
        last = steps;
        c.advance(Duration.ofMillis(100));
      }
      return changes;
    }

    @Test
    void smoothingAndHysteresisStopFlappingUnderNoisyStepTimes() {
      int changes = changes(tracker, clock, policy);
      assertThat(changes).isLessThanOrEqualTo(2);
    }

    @Test
    void withoutThemTheSameNoiseFlaps() {
      // The control for the test above: raw step times and no band or hold-off.
      LoadTracker raw = LoadTracker.builder(clock).stepTimeSmoothing(Duration.ofNanos(1)).build();
      RecurrenceBudgetPolicy jumpy =
          new RecurrenceBudgetPolicy(
              config().hysteresisBand(0).raiseHoldoff(Duration.ZERO).build(),
              ModelCatalog.of(PROFILE));
      assertThat(changes(raw, clock, jumpy)).isGreaterThan(100);
    }

    @Test
    void lowersAtOnceButRaisesOnlyAfterTheHoldoff() {
      // A short rate window so the burst of assignments below stops counting as arrivals soon.
      LoadTracker quick = LoadTracker.builder(clock).rateWindow(Duration.ofMillis(100)).build();
      quick.heartbeat(new WorkerSample("w1", MODEL, 0.001, 1, 1, 0, 0));
      assertThat(policy.decide(request(PriorityClass.BATCH).build(), quick.snapshot(MODEL)).steps())
          .isEqualTo(32);
      for (int i = 0; i < 50; i++) { // 3.3 s of work ahead: more than 4 s * 0.8 leaves
        quick.assigned("q" + i, MODEL, PriorityClass.BATCH, 66, 18);
      }
      int low = policy.decide(request(PriorityClass.BATCH).build(), quick.snapshot(MODEL)).steps();
      assertThat(low).isLessThan(32);
      for (int i = 0; i < 50; i++) {
        quick.completed("q" + i);
      }
      clock.advance(Duration.ofMillis(500));
      quick.heartbeat(new WorkerSample("w1", MODEL, 0.001, 1, 1, 0, 0));
      Decision held = policy.decide(request(PriorityClass.BATCH).build(), quick.snapshot(MODEL));
      assertThat(held.steps()).isEqualTo(low);
      assertThat(held.reason()).isEqualTo(Decision.Reason.HELD);
      clock.advance(Duration.ofMillis(600));
      quick.heartbeat(new WorkerSample("w1", MODEL, 0.001, 1, 1, 0, 0));
      Decision raised = policy.decide(request(PriorityClass.BATCH).build(), quick.snapshot(MODEL));
      assertThat(raised.steps()).isEqualTo(32);
      assertThat(raised.reason()).isEqualTo(Decision.Reason.FITS);
      assertThat(policy.currentLevels(MODEL)).containsEntry(PriorityClass.BATCH, 32);
    }
  }

  @Test
  void desiredReplicasSizeTheFleetForTheDefaultBudgetWithinTheTightestTarget() {
    StepTimeCurve curve = StepTimeCurve.linear(0.0012, 16, 0.006);
    Instant now = clock.instant();
    LoadSnapshot.Builder load =
        LoadSnapshot.builder(MODEL, now)
            .worker(new WorkerLoad("w1", 16, 8, curve, now))
            .worker(new WorkerLoad("w2", 16, 8, curve, now))
            .meanDefaultWork(18);
    assertThat(policy.desiredReplicas(load.build())).isEqualTo(1); // no traffic: the minimum

    // Interactive: 18 steps * t(b) <= 80 ms allows b = 11 (t = 4.4 ms): 2500 steps/s a worker.
    // 500 req/s * 18 steps = 9000 steps/s at 80% utilisation -> 4.5 -> 5 workers.
    assertThat(policy.desiredReplicas(load.arrivalRate(PriorityClass.INTERACTIVE, 500).build()))
        .isEqualTo(5);
  }

  @Test
  void configurationIsValidated() {
    assertThatThrownBy(() -> config().classTarget(PriorityClass.BATCH, Duration.ZERO, 0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> config().classTarget(PriorityClass.BATCH, Duration.ofSeconds(1), 1.0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> config().hysteresisBand(-0.1).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> config().autoscaling(0.8, 5, 2).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ModelProfile.builder(MODEL).recurrence(4, 2, 8).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ModelProfile.builder(MODEL).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> request(PriorityClass.BATCH).steps(5, 2).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> request(PriorityClass.BATCH).maxTokens(0).build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
