package dev.loopserve.policy;

/**
 * A sum whose terms fade exponentially with age: value(t) = sum of x_i * exp(-(t - t_i) / tau).
 * Divided by tau it is an exponentially weighted event rate; the ratio of two is an exponentially
 * weighted mean. Not thread-safe; times in nanoseconds and never decreasing.
 */
final class DecayingSum {
  private final double tauNanos;
  private double value;
  private long last = Long.MIN_VALUE;

  DecayingSum(long tauNanos) {
    if (tauNanos <= 0) {
      throw new IllegalArgumentException("tau must be > 0");
    }
    this.tauNanos = tauNanos;
  }

  void add(long nowNanos, double x) {
    value = value(nowNanos) + x;
    last = Math.max(last, nowNanos);
  }

  double value(long nowNanos) {
    if (last == Long.MIN_VALUE) {
      return 0;
    }
    long age = Math.max(0, nowNanos - last);
    return value * Math.exp(-age / tauNanos);
  }

  /** The weighted event rate per second, counting each add as one event. */
  double ratePerSecond(long nowNanos) {
    return value(nowNanos) / (tauNanos / 1e9);
  }
}
