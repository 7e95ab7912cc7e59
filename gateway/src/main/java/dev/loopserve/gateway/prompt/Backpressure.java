package dev.loopserve.gateway.prompt;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Refuses work the fleet cannot take: a model whose queue is past its bound, a model the scheduler
 * has already degraded too far, and a prompt whose deadline will surely pass while it waits. Pure
 * policy: the caller supplies the load figures and the time.
 *
 * <p>The wait a new prompt faces is estimated as {@code queued / drain rate}; it is a lower bound
 * (it ignores the prompt's own compute), so only prompts that would miss their deadline even then
 * are refused.
 */
final class Backpressure {

  /** What a model's load looks like to one admission decision. */
  record Load(int queued, double drainPerSecond, Double degradation) {}

  private final int maxQueued;
  private final Double maxDegradation;
  private final Duration fallbackRetryAfter;
  private final Duration maxRetryAfter;

  /**
   * @param maxQueued prompts a model may have accepted and unfinished before new ones get 429
   * @param maxDegradation how far (0 = not at all, 1 = down to the model's minimum depth) the
   *     scheduler may have cut a priority's recurrence before new prompts of it get 429; null never
   *     refuses on degradation
   * @param fallbackRetryAfter the Retry-After when no result finished recently, so there is no
   *     drain rate to derive one from
   * @param maxRetryAfter the longest Retry-After ever suggested
   */
  Backpressure(
      int maxQueued, Double maxDegradation, Duration fallbackRetryAfter, Duration maxRetryAfter) {
    if (maxQueued < 1) {
      throw new IllegalArgumentException("maxQueued must be >= 1, was " + maxQueued);
    }
    if (maxDegradation != null && !(maxDegradation >= 0 && maxDegradation <= 1)) {
      throw new IllegalArgumentException("maxDegradation must be in [0, 1], was " + maxDegradation);
    }
    if (fallbackRetryAfter.toSeconds() < 1 || maxRetryAfter.compareTo(fallbackRetryAfter) < 0) {
      throw new IllegalArgumentException(
          "need 1s <= fallbackRetryAfter <= maxRetryAfter, got "
              + fallbackRetryAfter
              + " and "
              + maxRetryAfter);
    }
    this.maxQueued = maxQueued;
    this.maxDegradation = maxDegradation;
    this.fallbackRetryAfter = fallbackRetryAfter;
    this.maxRetryAfter = maxRetryAfter;
  }

  /**
   * @param deadlineMillis epoch ms by which the answer is needed, or null
   * @param nowMillis epoch ms now
   * @throws org.springframework.web.ErrorResponseException 429 with Retry-After when the model is
   *     overloaded, 503 when the deadline cannot be met
   */
  void check(String model, Load load, Long deadlineMillis, long nowMillis) {
    Objects.requireNonNull(load, "load");
    if (load.queued() >= maxQueued) {
      int excess = load.queued() - maxQueued + 1;
      throw Problems.overloaded(
          "Model "
              + model
              + " has "
              + load.queued()
              + " prompts waiting, at or past its bound of "
              + maxQueued
              + "; retry later",
          retryAfterSeconds(excess, load.drainPerSecond()),
          Map.of("queued", load.queued(), "max_queued", maxQueued));
    }
    if (maxDegradation != null
        && load.degradation() != null
        && load.degradation() >= maxDegradation) {
      throw Problems.overloaded(
          "The scheduler has cut model "
              + model
              + "'s recurrence to "
              + Math.round(load.degradation() * 100)
              + "% of the way to its minimum to keep up with load (refusing from "
              + Math.round(maxDegradation * 100)
              + "%); retry later",
          retryAfterSeconds(Math.max(1, load.queued()), load.drainPerSecond()),
          Map.of("degradation", load.degradation(), "max_degradation", maxDegradation));
    }
    if (deadlineMillis != null && load.drainPerSecond() > 0) {
      long waitMillis = (long) Math.ceil(load.queued() * 1000.0 / load.drainPerSecond());
      if (nowMillis + waitMillis > deadlineMillis) {
        throw Problems.deadlineUnreachable(
            "The deadline is "
                + (deadlineMillis - nowMillis)
                + " ms away but the "
                + load.queued()
                + " prompts ahead of this one on model "
                + model
                + " take about "
                + waitMillis
                + " ms to drain; allow more time or retry later",
            Map.of("deadline_in_ms", deadlineMillis - nowMillis, "expected_wait_ms", waitMillis));
      }
    }
  }

  /** Seconds until the fleet, at its measured drain rate, has worked off {@code excess} prompts. */
  long retryAfterSeconds(int excess, double drainPerSecond) {
    if (drainPerSecond <= 0) {
      return fallbackRetryAfter.toSeconds();
    }
    long seconds = (long) Math.ceil(excess / drainPerSecond);
    return Math.max(1, Math.min(seconds, maxRetryAfter.toSeconds()));
  }
}
