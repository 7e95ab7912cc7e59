package dev.loopserve.gateway.security;

import jakarta.validation.constraints.Positive;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What one API key may do. Every bound is positive; a key that should be practically unbounded gets
 * large numbers.
 *
 * @param requestsPerSecond sustained requests per second over every authenticated route (token
 *     bucket refill rate)
 * @param burst requests that may arrive at once after a quiet spell (token bucket capacity)
 * @param maxInFlight prompts of the key's tenant, from all its keys, that may be queued or running
 *     when this key submits another
 * @param maxPromptChars Unicode code points a submitted prompt may have
 */
public record Limits(
    @Positive @DefaultValue("20") double requestsPerSecond,
    @Positive @DefaultValue("40") int burst,
    @Positive @DefaultValue("64") int maxInFlight,
    @Positive @DefaultValue("32768") int maxPromptChars) {

  /** No bound at all: for callers whose load cannot be told apart (authentication off). */
  public static final Limits UNLIMITED =
      new Limits(Double.POSITIVE_INFINITY, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);

  public Limits {
    if (!(requestsPerSecond > 0)) {
      throw new IllegalArgumentException(
          "requests-per-second must be positive, got " + requestsPerSecond);
    }
    requirePositive("burst", burst);
    requirePositive("max-in-flight", maxInFlight);
    requirePositive("max-prompt-chars", maxPromptChars);
  }

  /** Whether requests are rate-limited at all ({@link #UNLIMITED} is not). */
  public boolean rateLimited() {
    return Double.isFinite(requestsPerSecond);
  }

  /** These limits with only the prompt size bounded. */
  public Limits promptSizeOnly() {
    return new Limits(
        Double.POSITIVE_INFINITY, Integer.MAX_VALUE, Integer.MAX_VALUE, maxPromptChars);
  }

  /** These limits with every value the override sets replacing the one here. */
  Limits overriddenBy(AuthProperties.Key key) {
    return new Limits(
        key.requestsPerSecond() != null ? key.requestsPerSecond() : requestsPerSecond,
        key.burst() != null ? key.burst() : burst,
        key.maxInFlight() != null ? key.maxInFlight() : maxInFlight,
        key.maxPromptChars() != null ? key.maxPromptChars() : maxPromptChars);
  }

  private static void requirePositive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
