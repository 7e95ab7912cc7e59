package dev.loopserve.policy;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Seconds per core-step iteration as a function of batch size, t(b), from a few known points.
 *
 * <p>Between known points t is interpolated linearly. Outside them it is extrapolated
 * conservatively: below the smallest known batch t stays at that batch's value (a smaller batch is
 * never assumed faster than measured), above the largest known batch t grows in proportion to b (no
 * further gain from batching is assumed). So a fleet that has only been seen lightly loaded is not
 * credited with batching throughput it has not shown.
 *
 * <p>Immutable.
 */
public final class StepTimeCurve {
  private final int[] batch;
  private final double[] seconds;

  private StepTimeCurve(int[] batch, double[] seconds) {
    this.batch = batch;
    this.seconds = seconds;
  }

  /**
   * A curve through the given points.
   *
   * @param secondsByBatch seconds per step keyed by batch size; batch sizes >= 1, seconds finite
   *     and > 0; at least one point
   */
  public static StepTimeCurve of(Map<Integer, Double> secondsByBatch) {
    if (secondsByBatch.isEmpty()) {
      throw new IllegalArgumentException("a step-time curve needs at least one point");
    }
    TreeMap<Integer, Double> sorted = new TreeMap<>(secondsByBatch);
    int[] b = new int[sorted.size()];
    double[] t = new double[sorted.size()];
    int i = 0;
    for (Map.Entry<Integer, Double> e : sorted.entrySet()) {
      if (e.getKey() == null || e.getKey() < 1) {
        throw new IllegalArgumentException("batch sizes must be >= 1, got " + e.getKey());
      }
      double s = e.getValue();
      if (!(s > 0) || Double.isInfinite(s)) {
        throw new IllegalArgumentException("seconds per step must be finite and > 0, got " + s);
      }
      b[i] = e.getKey();
      t[i] = s;
      i++;
    }
    return new StepTimeCurve(b, t);
  }

  /** A curve with a single known point. */
  public static StepTimeCurve single(int batchSize, double secondsPerStep) {
    return of(Map.of(batchSize, secondsPerStep));
  }

  /**
   * A straight line from t(1) to t(maxBatch), tabulated at every batch size in between: the shape
   * continuous batching usually has on a memory-bound accelerator or CPU.
   */
  public static StepTimeCurve linear(double secondsAt1, int maxBatch, double secondsAtMax) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1");
    }
    Map<Integer, Double> points = new TreeMap<>();
    for (int b = 1; b <= maxBatch; b++) {
      double f = maxBatch == 1 ? 0 : (b - 1) / (double) (maxBatch - 1);
      points.put(b, secondsAt1 + f * (secondsAtMax - secondsAt1));
    }
    return of(points);
  }

  /** Seconds per core-step iteration when {@code batchSize} sequences share it; batchSize >= 1. */
  public double secondsPerStep(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1");
    }
    int last = batch.length - 1;
    if (batchSize <= batch[0]) {
      return seconds[0];
    }
    if (batchSize >= batch[last]) {
      return seconds[last] * batchSize / batch[last];
    }
    int i = Arrays.binarySearch(batch, batchSize);
    if (i >= 0) {
      return seconds[i];
    }
    int hi = -i - 1;
    int lo = hi - 1;
    double f = (batchSize - batch[lo]) / (double) (batch[hi] - batch[lo]);
    return seconds[lo] + f * (seconds[hi] - seconds[lo]);
  }

  /** Throughput of one worker running {@code batchSize} sequences: b / t(b), step units/s. */
  public double stepsPerSecond(int batchSize) {
    return batchSize / secondsPerStep(batchSize);
  }

  /** The known points, batch size to seconds per step. */
  public Map<Integer, Double> points() {
    Map<Integer, Double> m = new TreeMap<>();
    for (int i = 0; i < batch.length; i++) {
      m.put(batch[i], seconds[i]);
    }
    return m;
  }

  @Override
  public String toString() {
    return "StepTimeCurve" + points();
  }
}
