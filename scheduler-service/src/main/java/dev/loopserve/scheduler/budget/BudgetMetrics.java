package dev.loopserve.scheduler.budget;

import dev.loopserve.policy.Decision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToIntFunction;

/**
 * The scheduler's meters, all tagged {@code model}: the assigned budget (histogram), decisions and
 * degraded decisions (their ratio is the degraded rate), the error of the latency prediction, and
 * the replicas the model's fleet needs at the default budget (the autoscaler's input).
 */
public final class BudgetMetrics {

  private static final double[] STEP_BUCKETS = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64};

  private static final double[] ERROR_BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
  };

  private final MeterRegistry registry;

  public BudgetMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Registers the model's meters at zero, so dashboards and alerts see them before traffic. */
  public void watch(String model, ToIntFunction<String> desiredReplicas) {
    Gauge.builder("loopserve.desired.replicas", () -> desiredReplicas.applyAsInt(model))
        .description("Inference workers needed to give every request the default budget in target")
        .tag("model", model)
        .strongReference(true)
        .register(registry);
    decisions(model);
    degraded(model);
    assigned(model);
  }

  public void decided(String model, Decision d) {
    assigned(model).record(d.steps());
    decisions(model).increment();
    if (d.degraded()) {
      degraded(model).increment();
    }
  }

  /**
   * Records the prediction's error by direction ({@code under}: the request finished later than
   * predicted; {@code over}: earlier), since a distribution summary drops negative values. The bias
   * is (sum under - sum over) / count, the mean absolute error (sum under + sum over) / count.
   *
   * @param predictedMs predicted latency from submission
   * @param actualMs measured latency from submission to the result
   */
  public void latency(String model, long predictedMs, long actualMs) {
    long error = actualMs - predictedMs;
    DistributionSummary.builder("loopserve.latency.prediction.error")
        .description("Error of the predicted latency from submission, by direction")
        .baseUnit("seconds")
        .tag("model", model)
        .tag("direction", error > 0 ? "under" : "over")
        .serviceLevelObjectives(ERROR_BUCKETS)
        .register(registry)
        .record(Math.abs(error) / 1000.0);
  }

  private DistributionSummary assigned(String model) {
    return DistributionSummary.builder("loopserve.assigned.max.steps")
        .description("Recurrence budget r (max steps per token) assigned to each request")
        .baseUnit("steps")
        .tag("model", model)
        .serviceLevelObjectives(STEP_BUCKETS)
        .register(registry);
  }

  private Counter decisions(String model) {
    return Counter.builder("loopserve.decisions")
        .description("Budget decisions")
        .tag("model", model)
        .register(registry);
  }

  private Counter degraded(String model) {
    return Counter.builder("loopserve.decisions.degraded")
        .description("Budget decisions that fell to the minimum because of overload")
        .tag("model", model)
        .register(registry);
  }
}
