package dev.loopserve.policy.simulation;

import dev.loopserve.policy.StepTimeCurve;
import java.time.Duration;
import java.util.Map;
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
   * The demo model's fleet with step times measured from the real runtime (inference-service
   * README, "Before the cache": loop-demo 1.0.0, ONNX Runtime Java, one single-threaded core call
   * cost 0.51-0.70 ms for one row and 0.32-0.34 ms per row at 8-16 rows): t(1) = 0.60 ms, t(8) =
   * 2.64 ms, t(16) = 5.28 ms, linear in between; 4 workers of 16 slots; 10% step noise.
   */
  public static FleetSpec loopDemoMeasured() {
    return new FleetSpec(
        4,
        16,
        StepTimeCurve.of(
            Map.of(1, MEASURED_T1, 8, 8 * MEASURED_PER_ROW, 16, 16 * MEASURED_PER_ROW)),
        0.1,
        Duration.ofMillis(100),
        1.0);
  }

  /** Seconds per core step for one row, midpoint of the measured 0.51-0.70 ms. */
  static final double MEASURED_T1 = 0.00060;

  /** Seconds per row of a core step at 8-16 rows, midpoint of the measured 0.32-0.34 ms. */
  static final double MEASURED_PER_ROW = 0.00033;

  /** Where {@link #loopDemoMeasured()}'s figures come from, for reports. */
  public static final String MEASURED_SOURCE =
      "measured: inference-service README, single-threaded ORT core call per row";

  /** Full-batch throughput of the fleet, step units per second. */
  public double fullRate() {
    return workers * stepTimes.stepsPerSecond(maxBatch);
  }

  /** Requests per second the fleet sustains at full batch when each costs {@code work} units. */
  public double capacity(double work) {
    return fullRate() / work;
  }
}
