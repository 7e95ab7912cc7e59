package dev.loopserve.scheduler.recovery;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;

/**
 * Runs {@link StateRecovery} once when the bean is initialized. The prompt router depends on this
 * bean, so the first attempt completes before the {@code schedule} function exists and hence before
 * its binding consumes a prompt (Spring Cloud Stream binds functions while the context is
 * refreshed, before any lifecycle phase). If the cluster is not there yet the service still starts
 * and the recovery is retried in the background until it succeeds; until then {@link #recovered()}
 * is false and nothing is published to the policy topic.
 */
public final class RecoveryLifecycle implements InitializingBean, DisposableBean, BooleanSupplier {

  private static final Logger log = LoggerFactory.getLogger(RecoveryLifecycle.class);

  private final Callable<StateRecovery.Outcome> recovery;
  private final Duration retryInterval;
  private volatile boolean recovered;
  private ScheduledExecutorService retries;

  /**
   * @param recovery one full attempt; it opens and closes its own clients
   */
  public RecoveryLifecycle(Callable<StateRecovery.Outcome> recovery, Duration retryInterval) {
    this.recovery = recovery;
    this.retryInterval = retryInterval;
  }

  /** Whether the state was rebuilt (or recovery is off). */
  public boolean recovered() {
    return recovered;
  }

  @Override
  public boolean getAsBoolean() {
    return recovered;
  }

  @Override
  public synchronized void afterPropertiesSet() {
    if (attempt()) {
      return;
    }
    retries =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "state-recovery");
              t.setDaemon(true);
              return t;
            });
    retries.scheduleWithFixedDelay(
        () -> {
          if (attempt()) {
            retries.shutdown();
          }
        },
        retryInterval.toMillis(),
        retryInterval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private boolean attempt() {
    try {
      recovery.call();
      recovered = true;
      return true;
    } catch (Exception e) {
      log.warn(
          "Could not rebuild state from Kafka ({}); deciding without it and retrying in {}",
          e.toString(),
          retryInterval);
      return false;
    }
  }

  @Override
  public synchronized void destroy() {
    if (retries != null) {
      retries.shutdownNow();
    }
  }
}
