package dev.loopserve.scheduler.lag;

import dev.loopserve.scheduler.budget.AdaptiveBudgetPolicy;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Feeds each known model's inference consumer lag to the policy at a fixed interval. A failed read
 * is logged at debug and retried at the next tick: the tracker ages a stale lag out by itself.
 */
public final class LagPoller implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(LagPoller.class);

  private final Supplier<ConsumerLagReader> reader;
  private final AdaptiveBudgetPolicy policy;
  private final Duration interval;
  private ScheduledExecutorService executor;

  /** @param reader made on first use, so that no admin client exists while Kafka is not needed */
  public LagPoller(
      Supplier<ConsumerLagReader> reader, AdaptiveBudgetPolicy policy, Duration interval) {
    this.reader = reader;
    this.policy = policy;
    this.interval = interval;
  }

  /** Reads and feeds every model's lag once. */
  public void poll() {
    for (String model : policy.policies().manifests().names()) {
      try {
        policy.consumerLag(model, reader.get().lag(model));
      } catch (RuntimeException e) {
        log.debug("No lag for {} this time: {}", model, e.getMessage());
      }
    }
  }

  @Override
  public synchronized void start() {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "consumer-lag");
              t.setDaemon(true);
              return t;
            });
    executor.scheduleWithFixedDelay(
        this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return executor != null;
  }
}
