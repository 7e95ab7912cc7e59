package dev.loopserve.scheduler.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PolicySnapshot;
import dev.loopserve.messages.Priority;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.RecurrenceRequest;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.Timings;
import dev.loopserve.messages.WorkerHeartbeat;
import dev.loopserve.policy.LoadTracker;
import dev.loopserve.policy.ModelProfile;
import dev.loopserve.policy.PolicyConfig;
import dev.loopserve.policy.PriorityClass;
import dev.loopserve.policy.UnknownModelException;
import dev.loopserve.scheduler.model.ModelManifests;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy behind the seam, fed by hand with a clock the test moves. */
class AdaptiveBudgetPolicyTest {

  private final TestClock clock = new TestClock(Instant.ofEpochSecond(1_000_000));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AdaptiveBudgetPolicy policy =
      new AdaptiveBudgetPolicy(
          new ModelPolicies(
              ModelManifests.of(
                  ModelProfile.builder("m").recurrence(1, 4, 32).exit(0.05, 0.0).build()),
              PolicyConfig.builder().build()),
          LoadTracker.builder(clock).heartbeatTimeout(Duration.ofSeconds(10)).build(),
          new BudgetMetrics(registry),
          clock);

  @Test
  void coldStartGivesTheManifestDefaultWithTheManifestsExitThresholds() {
    Assignment a = policy.assign(prompt("r1", RecurrenceRequest.NONE, Priority.STANDARD));

    assertThat(a.budget().maxSteps()).isEqualTo(4);
    assertThat(a.budget().exitStateDelta()).isEqualTo(0.05);
    assertThat(a.policyVersion()).isEqualTo(1);
    assertThat(a.degraded()).isFalse();
    assertThat(a.predictedLatencyMs()).isPositive();
  }

  @Test
  void aRequestsOwnExitThresholdWinsOverTheManifests() {
    Assignment a =
        policy.assign(
            prompt("r1", new RecurrenceRequest(null, null, 0.2, 0.1, true), Priority.STANDARD));

    assertThat(a.budget().exitStateDelta()).isEqualTo(0.2);
    assertThat(a.budget().exitKl()).isEqualTo(0.1);
    assertThat(a.budget().warmStart()).isTrue();
  }

  @Test
  void aFastIdleFleetBuysMoreRecurrencesThanTheDefault() {
    heartbeat("w1", 0.0005);

    Assignment a = policy.assign(prompt("r1", RecurrenceRequest.NONE, Priority.INTERACTIVE));

    assertThat(a.budget().maxSteps()).isEqualTo(32);
    assertThat(a.degraded()).isFalse();
  }

  @Test
  void aWorkerThatStopsSendingHeartbeatsDropsOutAfterTheTimeout() {
    heartbeat("w1", 0.0005);
    assertThat(liveWorkers()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(9));
    assertThat(liveWorkers()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(2));
    assertThat(liveWorkers()).isZero();
    // Back to cold start: the default budget, whatever the last worker said.
    assertThat(
            policy
                .assign(prompt("r1", RecurrenceRequest.NONE, Priority.INTERACTIVE))
                .budget()
                .maxSteps())
        .isEqualTo(4);
  }

  @Test
  void anIdleWorkersLastStepTimeCountsSoAnIdleFleetIsNotTakenForAColdOne() {
    // Idle heartbeat: no batch running, last EWMA 0.5 ms a step.
    policy.heartbeat(new WorkerHeartbeat("w1", "m", clock.millis(), 0.0005, 0, 16, 16, 0));

    Assignment a = policy.assign(prompt("r1", RecurrenceRequest.NONE, Priority.INTERACTIVE));

    assertThat(a.budget().maxSteps()).isEqualTo(32);
    assertThat(a.degraded()).isFalse();
  }

  @Test
  void anOverloadedFleetFallsToTheMinimumAndSaysSo() {
    heartbeat("w1", 0.05); // 50 ms a step: even r = 1 misses 500 ms behind a queue
    for (int i = 0; i < 200; i++) {
      policy.assign(prompt("q" + i, RecurrenceRequest.NONE, Priority.BATCH));
    }

    Assignment a = policy.assign(prompt("late", RecurrenceRequest.NONE, Priority.INTERACTIVE));

    assertThat(a.budget().maxSteps()).isEqualTo(1);
    assertThat(a.degraded()).isTrue();
    assertThat(registry.get("loopserve.decisions.degraded").tag("model", "m").counter().count())
        .isGreaterThanOrEqualTo(1.0);
    assertThat(registry.get("loopserve.decisions").tag("model", "m").counter().count())
        .isEqualTo(201.0);
  }

  @Test
  void runningAndResultsTakeWorkOffTheQueueAndMeasureThePrediction() {
    heartbeat("w1", 0.001);
    Assignment a = policy.assign(prompt("r1", RecurrenceRequest.NONE, Priority.STANDARD));
    assertThat(outstanding()).isEqualTo(1);

    policy.status(new StatusUpdate("r1", StatusUpdate.Status.RUNNING, 0L, null, "w1"));
    assertThat(policy.tracker().snapshot("m").runningRequests()).isEqualTo(1);

    long submitted = clock.millis() - 10;
    InferenceResult done = result("r1", submitted, submitted + a.predictedLatencyMs() + 250);
    policy.finished(done);
    policy.finished(done); // redelivered: counted once
    assertThat(outstanding()).isZero();
    var late =
        registry
            .get("loopserve.latency.prediction.error")
            .tags("model", "m", "direction", "under")
            .summary();
    assertThat(late.count()).isEqualTo(1);
    assertThat(late.totalAmount()).isEqualTo(0.25, org.assertj.core.data.Offset.offset(1e-9));

    Assignment b = policy.assign(prompt("r2", RecurrenceRequest.NONE, Priority.STANDARD));
    policy.finished(result("r2", submitted, submitted + b.predictedLatencyMs() - 100));
    var early =
        registry
            .get("loopserve.latency.prediction.error")
            .tags("model", "m", "direction", "over")
            .summary();
    assertThat(early.totalAmount()).isEqualTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void metersExistPerModelBeforeTraffic() {
    assertThat(registry.get("loopserve.desired.replicas").tag("model", "m").gauge().value())
        .isEqualTo(1.0);
    policy.assign(prompt("r1", RecurrenceRequest.NONE, Priority.STANDARD));
    assertThat(registry.get("loopserve.assigned.max.steps").tag("model", "m").summary().count())
        .isEqualTo(1);
  }

  @Test
  void moreTrafficThanTheFleetServesAtTheDefaultAsksForMoreReplicas() {
    heartbeat("w1", 0.01);
    for (int i = 0; i < 400; i++) {
      policy.assign(prompt("q" + i, RecurrenceRequest.NONE, Priority.STANDARD));
      clock.advance(Duration.ofMillis(5));
    }
    assertThat(registry.get("loopserve.desired.replicas").tag("model", "m").gauge().value())
        .isGreaterThan(1.0);
  }

  @Test
  void anOverrideNarrowsTheRangeAndBumpsTheVersion() {
    heartbeat("w1", 0.0005);
    policy
        .policies()
        .override("m", new PolicyOverride(2, 6, Map.of(PriorityClass.INTERACTIVE, ms(300))));

    Assignment a = policy.assign(prompt("r1", RecurrenceRequest.NONE, Priority.INTERACTIVE));
    assertThat(a.budget().maxSteps()).isEqualTo(6);
    assertThat(a.policyVersion()).isEqualTo(2);
    PolicySnapshot s = policy.snapshot("m");
    assertThat(s.version()).isEqualTo(2);
    assertThat(s.minSteps()).isEqualTo(2);
    assertThat(s.maxSteps()).isEqualTo(6);
    assertThat(s.defaultSteps()).isEqualTo(4);
    assertThat(PolicyOverride.fromMap(s.details().get("override")))
        .isEqualTo(new PolicyOverride(2, 6, Map.of(PriorityClass.INTERACTIVE, ms(300))));
  }

  @Test
  void overridesOutsideTheManifestOrForUnknownModelsAreRefused() {
    assertThatThrownBy(() -> policy.policies().override("m", new PolicyOverride(0, 40, null)))
        .isInstanceOf(InvalidOverrideException.class)
        .hasMessageContaining("minSteps 0 is outside")
        .hasMessageContaining("maxSteps 40 is outside");
    assertThatThrownBy(() -> policy.policies().override("m", new PolicyOverride(8, 4, null)))
        .hasMessageContaining("above maxSteps");
    assertThatThrownBy(() -> policy.policies().override("nope", PolicyOverride.NONE))
        .isInstanceOf(UnknownModelException.class);
    assertThat(policy.policies().current("m").version()).isEqualTo(1);
  }

  @Test
  void aModelWithoutAPackageHereStillGetsABudget() {
    PromptSubmitted p =
        new PromptSubmitted(
            "x", "t", "other", "a=1;a?", 2, clock.millis(), null, null, null, null, null);
    assertThat(policy.assign(p).budget().maxSteps()).isEqualTo(8);
  }

  private static Duration ms(long ms) {
    return Duration.ofMillis(ms);
  }

  private int liveWorkers() {
    return policy.tracker().snapshot("m").workers().size();
  }

  private int outstanding() {
    return policy.tracker().snapshot("m").outstandingRequests();
  }

  private void heartbeat(String worker, double secondsPerStep) {
    policy.heartbeat(
        new WorkerHeartbeat(worker, "m", clock.millis(), secondsPerStep, 1, 16, 15, 0));
  }

  private PromptSubmitted prompt(String id, RecurrenceRequest rec, Priority priority) {
    return new PromptSubmitted(
        id, "t", "m", "a=1;a?", 2, clock.millis(), null, rec, priority, null, null);
  }

  private static InferenceResult result(String id, long submitted, long finished) {
    return new InferenceResult(
        id,
        null,
        "m",
        InferenceResult.Status.SUCCEEDED,
        "1",
        null,
        null,
        null,
        null,
        null,
        new Timings(submitted, submitted, submitted, finished),
        0L,
        "w1",
        null);
  }
}
