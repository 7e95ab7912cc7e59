package dev.loopserve.policy.simulation;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Simulated time: nanoseconds since a fixed epoch, moved only by the simulator. */
final class SimClock extends Clock {
  private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");
  private long nanos;

  void set(long nanos) {
    if (nanos < this.nanos) {
      throw new IllegalStateException("simulated time went backwards");
    }
    this.nanos = nanos;
  }

  long nanos() {
    return nanos;
  }

  static Instant at(long nanos) {
    return EPOCH.plusNanos(nanos);
  }

  @Override
  public Instant instant() {
    return at(nanos);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("simulated time has one zone");
  }
}
