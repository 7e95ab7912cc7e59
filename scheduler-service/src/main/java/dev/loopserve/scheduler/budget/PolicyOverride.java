package dev.loopserve.scheduler.budget;

import dev.loopserve.policy.PriorityClass;
import dev.loopserve.policy.RecurrenceRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An operator's override of one model's policy. Null or absent parts keep the manifest's range and
 * the configured class targets.
 *
 * @param minSteps fewest recurrences any request of the model gets, within the manifest range
 * @param maxSteps most recurrences any request of the model gets, within the manifest range
 * @param latencyTargets default latency target per priority class, positive
 */
public record PolicyOverride(
    Integer minSteps, Integer maxSteps, Map<PriorityClass, Duration> latencyTargets) {

  public static final PolicyOverride NONE = new PolicyOverride(null, null, Map.of());

  public PolicyOverride {
    EnumMap<PriorityClass, Duration> copy = new EnumMap<>(PriorityClass.class);
    if (latencyTargets != null) {
      copy.putAll(latencyTargets);
    }
    latencyTargets = Map.copyOf(copy);
  }

  /**
   * The problems with this override for a model with the given manifest range; empty when it is
   * acceptable.
   */
  public List<String> problems(RecurrenceRange manifest) {
    List<String> problems = new ArrayList<>();
    checkInRange("minSteps", minSteps, manifest, problems);
    checkInRange("maxSteps", maxSteps, manifest, problems);
    if (minSteps != null && maxSteps != null && minSteps > maxSteps) {
      problems.add("minSteps " + minSteps + " is above maxSteps " + maxSteps);
    }
    latencyTargets.forEach(
        (c, d) -> {
          if (d == null || d.isNegative() || d.isZero()) {
            problems.add("latency target of " + c.wireName() + " must be positive");
          }
        });
    return problems;
  }

  /** The manifest range narrowed by this override; the default moves into it. */
  public RecurrenceRange apply(RecurrenceRange manifest) {
    int lo = minSteps != null ? minSteps : manifest.min();
    int hi = maxSteps != null ? maxSteps : manifest.max();
    return new RecurrenceRange(lo, Math.max(lo, Math.min(hi, manifest.defaultSteps())), hi);
  }

  /** JSON-friendly form for the {@code PolicySnapshot} details; {@link #fromMap} reads it back. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (minSteps != null) {
      m.put("minSteps", minSteps);
    }
    if (maxSteps != null) {
      m.put("maxSteps", maxSteps);
    }
    Map<String, Object> targets = new LinkedHashMap<>();
    latencyTargets.forEach((c, d) -> targets.put(c.wireName(), d.toMillis()));
    m.put("latencyTargetsMs", targets);
    return m;
  }

  /**
   * Reads {@link #toMap()}'s form, as it comes back from JSON.
   *
   * @throws IllegalArgumentException when it is not that form
   */
  public static PolicyOverride fromMap(Object value) {
    if (value == null) {
      return NONE;
    }
    if (!(value instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("override is not an object");
    }
    Map<PriorityClass, Duration> targets = new EnumMap<>(PriorityClass.class);
    if (m.get("latencyTargetsMs") instanceof Map<?, ?> t) {
      t.forEach(
          (k, v) ->
              targets.put(PriorityClass.fromWire(String.valueOf(k)), Duration.ofMillis(number(v))));
    }
    return new PolicyOverride(integer(m.get("minSteps")), integer(m.get("maxSteps")), targets);
  }

  private static Integer integer(Object v) {
    return v == null ? null : (int) number(v);
  }

  private static long number(Object v) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    throw new IllegalArgumentException("not a number: " + v);
  }

  private static void checkInRange(
      String name, Integer value, RecurrenceRange manifest, List<String> problems) {
    if (value != null && (value < manifest.min() || value > manifest.max())) {
      problems.add(
          name
              + " "
              + value
              + " is outside the model's range ["
              + manifest.min()
              + ", "
              + manifest.max()
              + "]");
    }
  }
}
