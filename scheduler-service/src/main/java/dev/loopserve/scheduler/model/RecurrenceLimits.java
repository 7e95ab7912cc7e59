package dev.loopserve.scheduler.model;

/**
 * A model's supported recurrences per token, from its manifest.
 *
 * @param min fewest supported
 * @param defaultSteps what a request gets when it asks for nothing and load is light
 * @param max most supported
 */
public record RecurrenceLimits(int min, int defaultSteps, int max) {

  /** Used for a model whose package this scheduler cannot see. */
  public static final RecurrenceLimits FALLBACK = new RecurrenceLimits(1, 8, 32);

  public RecurrenceLimits {
    if (min < 1 || defaultSteps < min || max < defaultSteps) {
      throw new IllegalArgumentException(
          "need 1 <= min <= default <= max, got " + min + "/" + defaultSteps + "/" + max);
    }
  }

  public int clamp(int steps) {
    return Math.max(min, Math.min(max, steps));
  }
}
