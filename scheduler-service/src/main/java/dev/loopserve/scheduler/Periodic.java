package dev.loopserve.scheduler;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs a task at a fixed delay on its own daemon thread while the application runs. A failing run
 * is logged and the next one still happens.
 */
public final class Periodic implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(Periodic.class);

  private final String name;
  private final Runnable task;
  private final Duration interval;
  private ScheduledExecutorService executor;

  public Periodic(String name, Runnable task, Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException(name + ": interval must be positive");
    }
    this.name = name;
    this.task = task;
    this.interval = interval;
  }

  @Override
  public synchronized void start() {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    long ms = interval.toMillis();
    executor.scheduleWithFixedDelay(this::runOnce, ms, ms, TimeUnit.MILLISECONDS);
  }

  private void runOnce() {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.warn("{} failed: {}", name, e.toString());
    }
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
