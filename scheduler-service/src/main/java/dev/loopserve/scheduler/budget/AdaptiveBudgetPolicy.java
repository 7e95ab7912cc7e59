package dev.loopserve.scheduler.budget;

import dev.loopserve.messages.Budget;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PolicySnapshot;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.RecurrenceRequest;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.WorkerHeartbeat;
import dev.loopserve.policy.Decision;
import dev.loopserve.policy.LoadSnapshot;
import dev.loopserve.policy.LoadTracker;
import dev.loopserve.policy.PriorityClass;
import dev.loopserve.policy.RecurrenceRange;
import dev.loopserve.policy.RequestParams;
import dev.loopserve.policy.WorkerSample;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load-aware policy of the {@code budget-policy} module behind the scheduler's seam: decides
 * with each model's {@link dev.loopserve.policy.RecurrenceBudgetPolicy} on the {@link
 * LoadTracker}'s snapshot, records the assignment, and translates the inference side's messages
 * (heartbeats, {@code running} status, results, consumer lag) into tracker calls. Every feed is
 * idempotent by request or worker id.
 */
public final class AdaptiveBudgetPolicy implements BudgetPolicy {

  private static final Logger log = LoggerFactory.getLogger(AdaptiveBudgetPolicy.class);

  private final ModelPolicies policies;
  private final LoadTracker tracker;
  private final BudgetMetrics metrics;
  private final Clock clock;
  private final PredictionLedger predictions = new PredictionLedger(65_536);

  public AdaptiveBudgetPolicy(
      ModelPolicies policies, LoadTracker tracker, BudgetMetrics metrics, Clock clock) {
    this.policies = policies;
    this.tracker = tracker;
    this.metrics = metrics;
    this.clock = clock;
    policies.manifests().names().forEach(m -> metrics.watch(m, this::desiredReplicas));
  }

  public ModelPolicies policies() {
    return policies;
  }

  public LoadTracker tracker() {
    return tracker;
  }

  @Override
  public Assignment assign(PromptSubmitted prompt) {
    ModelPolicies.Current current = policies.current(prompt.model());
    if (policies.manifests().find(prompt.model()).isEmpty()) {
      metrics.watch(prompt.model(), this::desiredReplicas);
    }
    RequestParams params = params(prompt);
    Decision d = current.policy().decide(params, tracker.snapshot(prompt.model()));
    tracker.assigned(params, d);
    long predictedMs = d.predictedLatency().toMillis();
    predictions.remember(prompt.requestId(), prompt.model(), predictedMs);
    metrics.decided(prompt.model(), d);
    dev.loopserve.policy.Budget b = d.budget();
    return new Assignment(
        new Budget(b.minSteps(), b.maxSteps(), b.exitStateDelta(), b.exitKl(), b.warmStart()),
        current.version(),
        predictedMs,
        d.degraded());
  }

  /**
   * Counts a request that was assigned before a restart and is still waiting on its model's topic.
   */
  public void recovered(
      String requestId, String model, PriorityClass priority, int maxSteps, int maxTokens) {
    RecurrenceRange range = policies.current(model).manifest().recurrence();
    var cost = policies.current(model).profile().cost();
    tracker.assigned(
        requestId,
        model,
        priority,
        cost.workSteps(maxSteps, maxTokens),
        cost.workSteps(range.defaultSteps(), maxTokens));
  }

  /**
   * Feeds a heartbeat. An idle worker reports batch size 0 with its last step-time EWMA, which the
   * tracker would ignore (it keys step times by batch size), so a fleet that drains between
   * heartbeats would never be measured and the policy would keep its pessimistic cold-start guess.
   * Such a time is attributed to batch 1: it was measured at some batch of at least 1, and t(b)
   * grows with b, so this errs towards a slower fleet.
   */
  public void heartbeat(WorkerHeartbeat h) {
    int measuredAt = h.batchSize() == 0 && h.secondsPerStep() > 0 ? 1 : h.batchSize();
    try {
      tracker.heartbeat(
          new WorkerSample(
              h.workerId(),
              h.model(),
              h.secondsPerStep(),
              measuredAt,
              h.maxBatch(),
              h.freeSlots(),
              h.queueDepth()));
    } catch (IllegalArgumentException e) {
      log.warn("Ignoring heartbeat of {}: {}", h.workerId(), e.getMessage());
    }
  }

  public void status(StatusUpdate update) {
    if (update.status() == StatusUpdate.Status.RUNNING && update.workerId() != null) {
      tracker.started(update.requestId(), update.workerId());
    }
  }

  public void finished(InferenceResult result) {
    tracker.completed(result.requestId());
    var t = result.timings();
    predictions
        .take(result.requestId())
        .ifPresent(
            p -> {
              if (t != null && t.submittedAt() != null && t.finishedAt() != null) {
                metrics.latency(p.model(), p.predictedMs(), t.finishedAt() - t.submittedAt());
              }
            });
  }

  public void consumerLag(String model, long requests) {
    tracker.consumerLag(model, requests);
  }

  public int desiredReplicas(String model) {
    return policies.current(model).policy().desiredReplicas(tracker.snapshot(model));
  }

  /** The policy in force for the model, for the policy topic and {@code GET /v1/policy}. */
  public PolicySnapshot snapshot(String model) {
    ModelPolicies.Current c = policies.current(model);
    LoadSnapshot load = tracker.snapshot(model);
    RecurrenceRange range = c.profile().recurrence();
    Map<String, Object> targets = new LinkedHashMap<>();
    Map<String, Object> levels = new LinkedHashMap<>();
    for (PriorityClass p : PriorityClass.values()) {
      targets.put(p.wireName(), c.policy().config().target(p).latencyTarget().toMillis());
    }
    c.policy().currentLevels(model).forEach((p, r) -> levels.put(p.wireName(), r));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("policy", c.policy().config().version());
    details.put("override", c.override().toMap());
    details.put("latencyTargetsMs", targets);
    details.put("levels", levels);
    details.put("liveWorkers", load.workers().size());
    details.put("outstandingRequests", load.outstandingRequests());
    return new PolicySnapshot(
        model,
        c.version(),
        clock.millis(),
        range.min(),
        range.max(),
        range.defaultSteps(),
        c.policy().desiredReplicas(load),
        details);
  }

  private static RequestParams params(PromptSubmitted p) {
    RecurrenceRequest rec = p.recurrence();
    return RequestParams.builder(p.requestId(), p.model())
        .priority(PriorityClass.fromWire(p.priority().name()))
        .submittedAt(Instant.ofEpochMilli(p.submittedAt()))
        .latencyTarget(p.latencyTargetMs() == null ? null : Duration.ofMillis(p.latencyTargetMs()))
        .deadline(p.deadline() == null ? null : Instant.ofEpochMilli(p.deadline()))
        .steps(rec.minSteps(), rec.maxSteps())
        .exit(rec.exitStateDelta(), rec.exitKl())
        .warmStart(Boolean.TRUE.equals(rec.warmStart()))
        .maxTokens(p.maxTokens())
        .build();
  }
}
