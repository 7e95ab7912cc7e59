package dev.loopserve.gateway.security;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One token bucket per API key, sized by the key's {@link Limits}: it holds {@code burst} tokens,
 * refills continuously at {@code requestsPerSecond}, and each request takes one. Buckets live in
 * this replica only, so N gateway replicas together admit up to N times a key's rate.
 */
final class KeyRateLimiter {

  /** Whether a request may go ahead, and if not, after how long the bucket holds a token again. */
  record Decision(boolean allowed, Duration retryAfter) {

    static final Decision ALLOWED = new Decision(true, Duration.ZERO);

    /** {@link #retryAfter()} in whole seconds, rounded up and at least 1, for Retry-After. */
    long retryAfterSeconds() {
      long seconds = retryAfter.getSeconds() + (retryAfter.getNano() > 0 ? 1 : 0);
      return Math.max(1, seconds);
    }
  }

  private final TimeMeter time;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  KeyRateLimiter(Clock clock) {
    this.time =
        new TimeMeter() {
          @Override
          public long currentTimeNanos() {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
          }

          @Override
          public boolean isWallClockBased() {
            return true;
          }
        };
  }

  /** Takes a token from the key's bucket if it has one. */
  Decision tryAcquire(String keyId, Limits limits) {
    if (!limits.rateLimited()) {
      return Decision.ALLOWED;
    }
    ConsumptionProbe probe =
        buckets.computeIfAbsent(keyId, id -> bucket(limits)).tryConsumeAndReturnRemaining(1);
    return probe.isConsumed()
        ? Decision.ALLOWED
        : new Decision(false, Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }

  private Bucket bucket(Limits limits) {
    // A whole burst per burst/rate seconds, refilled greedily (token by token), is the rate
    // without the rounding a one-token period would have at high rates.
    long periodNanos = Math.max(1, Math.round(limits.burst() * 1e9 / limits.requestsPerSecond()));
    return Bucket.builder()
        .addLimit(
            limit ->
                limit
                    .capacity(limits.burst())
                    .refillGreedy(limits.burst(), Duration.ofNanos(periodNanos)))
        .withCustomTimePrecision(time)
        .build();
  }
}
