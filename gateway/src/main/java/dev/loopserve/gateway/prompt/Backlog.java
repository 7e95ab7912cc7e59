package dev.loopserve.gateway.prompt;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per model: the prompts accepted and not yet finished (the queue the fleet still has to drain),
 * and the rate at which results arrive. Every replica materialises every prompt and result, so each
 * replica sees the same, suite-wide figures without asking anyone.
 *
 * <p>The drain rate counts results by when the worker finished them ({@code timings.finished_at}),
 * not by when this replica read them, so replaying the topics after a restart does not look like a
 * burst of completions.
 */
final class Backlog {

  private final Clock clock;
  private final long windowMillis;
  private final Map<String, Deque<Long>> finishedAt = new ConcurrentHashMap<>();
  private PromptViews views;

  /**
   * @param window how far back finished results count toward the drain rate; longer is smoother but
   *     slower to notice a change in capacity
   */
  Backlog(Clock clock, Duration window) {
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive, was " + window);
    }
    this.clock = clock;
    this.windowMillis = window.toMillis();
  }

  /** Follows {@code views}: call once, before the views are filled. */
  void follow(PromptViews views) {
    this.views = views;
    views.onFinish(this::finished);
  }

  private void finished(PromptView view) {
    Long finished =
        view.result() == null || view.result().timings() == null
            ? null
            : view.result().timings().finishedAt();
    long at = finished != null ? finished : clock.millis();
    if (at < clock.millis() - windowMillis) {
      return; // replayed history: it says nothing about today's capacity
    }
    Deque<Long> times = finishedAt.computeIfAbsent(view.model(), m -> new ArrayDeque<>());
    synchronized (times) {
      times.addLast(at);
      trim(times);
    }
  }

  /** Prompts of {@code model} accepted and not yet finished. */
  int queued(String model) {
    return views.inFlightOfModel(model);
  }

  /**
   * Results per second for {@code model} over the window, or 0 when none finished in it (the rate
   * is then unknown, not zero capacity).
   */
  double drainPerSecond(String model) {
    Deque<Long> times = finishedAt.get(model);
    if (times == null) {
      return 0;
    }
    synchronized (times) {
      trim(times);
      return times.size() * 1000.0 / windowMillis;
    }
  }

  private void trim(Deque<Long> times) {
    long oldest = clock.millis() - windowMillis;
    while (!times.isEmpty() && times.peekFirst() < oldest) {
      times.pollFirst();
    }
  }
}
