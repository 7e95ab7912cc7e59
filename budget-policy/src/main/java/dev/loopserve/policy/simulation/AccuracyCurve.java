package dev.loopserve.policy.simulation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Expected answer accuracy as a function of the recurrence budget r, from the model's eval.json.
 * Between measured budgets accuracy is interpolated linearly; outside them it is held at the
 * nearest measured value. Immutable.
 */
public final class AccuracyCurve {
  private final TreeMap<Integer, Double> byR;

  private AccuracyCurve(TreeMap<Integer, Double> byR) {
    this.byR = byR;
  }

  /** A curve through the given points; r >= 1, accuracy in [0, 1], at least one point. */
  public static AccuracyCurve of(Map<Integer, Double> accuracyByR) {
    if (accuracyByR.isEmpty()) {
      throw new IllegalArgumentException("an accuracy curve needs at least one point");
    }
    TreeMap<Integer, Double> m = new TreeMap<>();
    accuracyByR.forEach(
        (r, a) -> {
          if (r == null || r < 1 || a == null || !(a >= 0 && a <= 1)) {
            throw new IllegalArgumentException("bad accuracy point r=" + r + " accuracy=" + a);
          }
          m.put(r, a);
        });
    return new AccuracyCurve(m);
  }

  /**
   * Reads an eval.json. Tolerant of layout: the accuracy-by-r table may sit under {@code by_r} at
   * the top level or one object down, as a list of {@code {"r": 1, "accuracy": 0.4}} entries (also
   * {@code "acc"}, {@code "steps"}) or as an object {@code {"1": 0.4, ...}}; accuracies given as
   * percentages (> 1) are scaled to [0, 1]. Other keys are ignored.
   */
  public static AccuracyCurve fromEvalJson(Path file) throws IOException {
    return fromEvalJson(Files.readString(file));
  }

  static AccuracyCurve fromEvalJson(String json) {
    Object root = Json.parse(json);
    Object table = findByR(root);
    if (table == null) {
      throw new IllegalArgumentException("eval.json has no by_r table");
    }
    TreeMap<Integer, Double> points = new TreeMap<>();
    if (table instanceof List<?> list) {
      for (Object item : list) {
        if (item instanceof Map<?, ?> entry) {
          Double r = number(entry, "r", "steps", "recurrence");
          Double a = number(entry, "accuracy", "acc");
          if (r != null && a != null) {
            points.put((int) Math.round(r), scale(a));
          }
        }
      }
    } else if (table instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        Object v = e.getValue();
        if (v instanceof Map<?, ?> inner) {
          v = number(inner, "accuracy", "acc");
        }
        if (v instanceof Double a) {
          points.put(Integer.parseInt(String.valueOf(e.getKey()).trim()), scale(a));
        }
      }
    }
    return of(points);
  }

  private static Object findByR(Object root) {
    if (!(root instanceof Map<?, ?> map)) {
      return null;
    }
    if (map.containsKey("by_r")) {
      return map.get("by_r");
    }
    for (Object v : map.values()) {
      if (v instanceof Map<?, ?> inner && inner.containsKey("by_r")) {
        return inner.get("by_r");
      }
    }
    return null;
  }

  private static Double number(Map<?, ?> entry, String... keys) {
    for (String k : keys) {
      if (entry.get(k) instanceof Double d) {
        return d;
      }
    }
    return null;
  }

  private static double scale(double a) {
    return a > 1 ? a / 100 : a;
  }

  /** Expected accuracy at budget r. */
  public double accuracy(int r) {
    Map.Entry<Integer, Double> lo = byR.floorEntry(r);
    Map.Entry<Integer, Double> hi = byR.ceilingEntry(r);
    if (lo == null) {
      return hi.getValue();
    }
    if (hi == null || hi.getKey().equals(lo.getKey())) {
      return lo.getValue();
    }
    double f = (r - lo.getKey()) / (double) (hi.getKey() - lo.getKey());
    return lo.getValue() + f * (hi.getValue() - lo.getValue());
  }

  public Map<Integer, Double> points() {
    return new TreeMap<>(byR);
  }
}
