package dev.loopserve.policy.simulation;

import dev.loopserve.policy.StepTimeCurve;
import java.time.Duration;
import java.util.Objects;

/**
 * The simulated fleet: identical workers doing depth-wise continuous batching. Each iteration moves
 * every request in the batch one step unit on (see {@code CostModel}); requests join and leave at
 * iteration boundaries; an iteration with b requests takes t(b) times a log-normal noise factor
 * with mean 1.
 *
 * @param workers number of workers
 * @param maxBatch batch slots per worker
 * @param stepTimes true t(b), seconds per iteration
 * @param stepNoise sigma of the log-normal noise on each iteration's time (0 = none)
 * @param heartbeatInterval how often each worker reports
 * @param overheadStepsPerToken true prelude + coda cost per token in step units
 */
public record FleetSpec(
    int workers,
    int maxBatch,
    StepTimeCurve stepTimes,
    double stepNoise,
    Duration heartbeatInterval,
    double overheadStepsPerToken) {

  public FleetSpec {
    if (workers < 1 || maxBatch < 1) {
      throw new IllegalArgumentException("need workers >= 1 and maxBatch >= 1");
    }
    Objects.requireNonNull(stepTimes, "stepTimes");
    if (!(stepNoise >= 0)) {
      throw new IllegalArgumentException("stepNoise must be >= 0");
    }
    if (heartbeatInterval == null || heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException("heartbeatInterval must be positive");
    }
    if (!(overheadStepsPerToken >= 0)) {
      throw new IllegalArgumentException("overheadStepsPerToken must be >= 0");
    }
  }

  /**
   * Placeholder figures for the tiny demo model until inference-service benchmarks replace them:
   * t(1) = 1.2 ms, t(16) = 6 ms, linear in between; 4 workers of 16 slots; 10% step noise.
   */
  public static FleetSpec tinyModelDefaults() {
    return new FleetSpec(
        4, 16, StepTimeCurve.linear(0.0012, 16, 0.006), 0.1, Duration.ofMillis(100), 1.0);
  }

  /** Full-batch throughput of the fleet, step units per second. */
  public double fullRate() {
    return workers * stepTimes.stepsPerSecond(maxBatch);
  }

  /** Requests per second the fleet sustains at full batch when each costs {@code work} units. */
  public double capacity(double work) {
    return fullRate() / work;
  }
}
