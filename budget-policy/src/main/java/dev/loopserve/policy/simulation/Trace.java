package dev.loopserve.policy.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An arrival trace: a Poisson process whose rate is constant within each segment. Rates are in
 * requests per second of simulated time.
 *
 * @param name short name for reports
 * @param segments consecutive (duration, rate) pieces
 */
public record Trace(String name, List<Segment> segments) {

  /** A piece of the trace: {@code seconds} long at {@code rate} requests per second. */
  public record Segment(double seconds, double rate) {
    public Segment {
      if (!(seconds > 0) || !(rate >= 0) || Double.isInfinite(rate)) {
        throw new IllegalArgumentException("segment needs seconds > 0 and a finite rate >= 0");
      }
    }
  }

  public Trace {
    segments = List.copyOf(segments);
    if (segments.isEmpty()) {
      throw new IllegalArgumentException("a trace needs at least one segment");
    }
  }

  /** Constant-rate Poisson arrivals. */
  public static Trace poisson(double rate, double seconds) {
    return new Trace("poisson", List.of(new Segment(seconds, rate)));
  }

  /** {@code base} for {@code before} s, {@code peak} for {@code during} s, {@code base} again. */
  public static Trace step(double base, double peak, double before, double during, double after) {
    return new Trace(
        "overload-step",
        List.of(new Segment(before, base), new Segment(during, peak), new Segment(after, base)));
  }

  /** {@code base}, with a {@code burstSeconds} burst at {@code burst} every {@code period} s. */
  public static Trace bursts(
      double base, double burst, double period, double burstSeconds, double seconds) {
    if (!(burstSeconds < period)) {
      throw new IllegalArgumentException("burst must be shorter than its period");
    }
    List<Segment> s = new ArrayList<>();
    double t = 0;
    while (t < seconds) {
      double quiet = Math.min(period - burstSeconds, seconds - t);
      s.add(new Segment(quiet, base));
      t += quiet;
      if (t < seconds) {
        double b = Math.min(burstSeconds, seconds - t);
        s.add(new Segment(b, burst));
        t += b;
      }
    }
    return new Trace("bursts", s);
  }

  /** The same arrivals under another name. */
  public Trace named(String other) {
    return new Trace(other, segments);
  }

  public double seconds() {
    return segments.stream().mapToDouble(Segment::seconds).sum();
  }

  /** Arrival times in nanoseconds, ascending. Memorylessness makes per-segment restarts exact. */
  long[] arrivals(SplittableRandom random) {
    List<Long> times = new ArrayList<>();
    double start = 0;
    for (Segment seg : segments) {
      double end = start + seg.seconds();
      if (seg.rate() > 0) {
        double t = start;
        while (true) {
          t += -Math.log(1 - random.nextDouble()) / seg.rate();
          if (t >= end) {
            break;
          }
          times.add(Math.round(t * 1e9));
        }
      }
      start = end;
    }
    long[] out = new long[times.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = times.get(i);
    }
    return out;
  }
}
