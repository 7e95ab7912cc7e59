package dev.loopserve.policy;

/**
 * A time-aware exponentially weighted moving average: a sample arriving dt after the previous one
 * gets weight 1 - exp(-dt / tau), so irregular heartbeats are weighted by the time they cover and a
 * value not refreshed for long is simply replaced. Not thread-safe; times in nanoseconds.
 */
final class Ewma {
  private final long tauNanos;
  private double value = Double.NaN;
  private long last;

  Ewma(long tauNanos) {
    if (tauNanos < 0) {
      throw new IllegalArgumentException("tau must be >= 0");
    }
    this.tauNanos = tauNanos;
  }

  void update(long nowNanos, double sample) {
    if (Double.isNaN(value) || tauNanos == 0) {
      value = sample;
    } else {
      long dt = Math.max(0, nowNanos - last);
      double alpha = 1 - Math.exp(-(double) dt / tauNanos);
      value += alpha * (sample - value);
    }
    last = nowNanos;
  }

  /** The average, or NaN before the first sample. */
  double value() {
    return value;
  }
}
