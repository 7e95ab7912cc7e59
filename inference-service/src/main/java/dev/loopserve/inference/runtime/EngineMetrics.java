package dev.loopserve.inference.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The runtime's Micrometer meters, tagged by model. Exported to Prometheus as {@code
 * loopserve_steps_per_token}, {@code loopserve_exits_total{reason}}, {@code
 * loopserve_batch_occupancy}, {@code loopserve_queue_wait_seconds}, {@code
 * loopserve_step_seconds{graph}}, {@code loopserve_tokens_total} (rate() gives tokens/s) and {@code
 * loopserve_core_steps_total}.
 */
public final class EngineMetrics {

  private final DistributionSummary stepsPerToken;
  private final Map<ExitReason, Counter> exits = new EnumMap<>(ExitReason.class);
  private final DistributionSummary occupancy;
  private final Timer queueWait;
  private final Timer preludeStep;
  private final Timer coreStep;
  private final Timer codaStep;
  private final Counter tokens;
  private final Counter coreSteps;

  public EngineMetrics(MeterRegistry registry, String model) {
    stepsPerToken =
        DistributionSummary.builder("loopserve.steps.per.token")
            .description("Core applications spent on one generated token")
            .tag("model", model)
            .serviceLevelObjectives(1, 2, 4, 8, 12, 16, 24, 32, 48, 64)
            .register(registry);
    for (ExitReason reason : ExitReason.values()) {
      exits.put(
          reason,
          Counter.builder("loopserve.exits")
              .description("Why a token's recurrence stopped")
              .tag("model", model)
              .tag("reason", reason.name().toLowerCase())
              .register(registry));
    }
    occupancy =
        DistributionSummary.builder("loopserve.batch.occupancy")
            .description("Requests taking one recurrence step together")
            .tag("model", model)
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64)
            .register(registry);
    queueWait =
        Timer.builder("loopserve.queue.wait")
            .description("Time from submission to the first graph call")
            .tag("model", model)
            .publishPercentileHistogram()
            .register(registry);
    preludeStep = stepTimer(registry, model, "prelude");
    coreStep = stepTimer(registry, model, "core");
    codaStep = stepTimer(registry, model, "coda");
    tokens =
        Counter.builder("loopserve.tokens")
            .description("Generated tokens")
            .tag("model", model)
            .register(registry);
    coreSteps =
        Counter.builder("loopserve.core.steps")
            .description("Core applications, summed over rows")
            .tag("model", model)
            .register(registry);
  }

  /** Meters that go nowhere, for benchmarks and tests that do not look at them. */
  public static EngineMetrics discard(String model) {
    return new EngineMetrics(new SimpleMeterRegistry(), model);
  }

  private static Timer stepTimer(MeterRegistry registry, String model, String graph) {
    return Timer.builder("loopserve.step")
        .description("Wall time of one batched graph call")
        .tag("model", model)
        .tag("graph", graph)
        .publishPercentileHistogram()
        .register(registry);
  }

  void token(int steps, ExitReason reason) {
    stepsPerToken.record(steps);
    exits.get(reason).increment();
    tokens.increment();
  }

  void queueWait(long nanos) {
    queueWait.record(nanos, TimeUnit.NANOSECONDS);
  }

  void prelude(long nanos) {
    preludeStep.record(nanos, TimeUnit.NANOSECONDS);
  }

  void core(long nanos, int rows) {
    coreStep.record(nanos, TimeUnit.NANOSECONDS);
    coreSteps.increment(rows);
  }

  /** Rows that took one recurrence step together (possibly split over several calls). */
  void occupancy(int rows) {
    occupancy.record(rows);
  }

  void coda(long nanos) {
    codaStep.record(nanos, TimeUnit.NANOSECONDS);
  }
}
