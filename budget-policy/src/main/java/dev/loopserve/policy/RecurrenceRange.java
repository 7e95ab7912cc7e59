package dev.loopserve.policy;

/**
 * A model's recurrence range from its manifest ({@code recurrence.min/default/max}), in core steps
 * per generated token.
 *
 * @param min fewest recurrences the model is served with, at least 1
 * @param defaultSteps recurrences used when nothing else is known (cold start, autoscaler sizing)
 * @param max most recurrences the model is served with
 */
public record RecurrenceRange(int min, int defaultSteps, int max) {

  public RecurrenceRange {
    if (min < 1 || defaultSteps < min || max < defaultSteps) {
      throw new IllegalArgumentException(
          "need 1 <= min <= default <= max, got " + min + "/" + defaultSteps + "/" + max);
    }
  }

  /** {@code steps} moved into [min, max]. */
  public int clamp(int steps) {
    return Math.max(min, Math.min(max, steps));
  }
}
