package dev.loopserve.scheduler.lag;

import dev.loopserve.scheduler.budget.AdaptiveBudgetPolicy;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds each known model's inference consumer lag to the policy. A failed read is logged at debug
 * and retried at the next tick: the tracker ages a stale lag out by itself.
 */
public final class LagPoller implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(LagPoller.class);

  private final Supplier<ConsumerLagReader> reader;
  private final AdaptiveBudgetPolicy policy;

  /**
   * @param reader asked on every tick, so the admin client can be made on first use
   */
  public LagPoller(Supplier<ConsumerLagReader> reader, AdaptiveBudgetPolicy policy) {
    this.reader = reader;
    this.policy = policy;
  }

  /** Reads and feeds every model's lag once. */
  @Override
  public void run() {
    for (String model : policy.policies().manifests().names()) {
      try {
        policy.consumerLag(model, reader.get().lag(model));
      } catch (RuntimeException e) {
        log.debug("No lag for {} this time: {}", model, e.getMessage());
      }
    }
  }
}
