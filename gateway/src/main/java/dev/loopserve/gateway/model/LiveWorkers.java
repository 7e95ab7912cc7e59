package dev.loopserve.gateway.model;

import dev.loopserve.messages.WorkerHeartbeat;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which inference workers are alive, from their heartbeats: a worker counts while its last
 * heartbeat is younger than the timeout. A heartbeat's age is taken from the earlier of the time it
 * says it was sent and the time it arrived here, so a worker whose clock runs ahead cannot look
 * alive after it stopped, and a backlog read after a restart does not look fresh.
 */
public final class LiveWorkers {

  /**
   * The live workers of one model.
   *
   * @param workers how many workers sent a heartbeat within the timeout
   * @param maxBatch rows the workers batch together, summed
   * @param freeSlots free batch rows, summed, as of each worker's last heartbeat
   * @param queueDepth requests fetched but not started, summed
   * @param since epoch ms of the first heartbeat heard from the longest-running live worker
   */
  public record Model(int workers, int maxBatch, int freeSlots, int queueDepth, long since) {}

  private record Worker(WorkerHeartbeat last, long lastAt, long firstAt) {}

  private final Clock clock;
  private final long timeoutMillis;
  private final Map<String, Worker> workers = new ConcurrentHashMap<>();

  /**
   * @param timeout how long after its last heartbeat a worker stops counting; a few heartbeat
   *     intervals, so one late heartbeat does not hide a model
   */
  public LiveWorkers(Clock clock, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    this.clock = clock;
    this.timeoutMillis = timeout.toMillis();
  }

  /** Records a heartbeat; an older one than the worker's latest is ignored. */
  public void heard(WorkerHeartbeat heartbeat) {
    long now = clock.millis();
    long at = Math.min(heartbeat.at(), now);
    long stale = now - timeoutMillis;
    workers.compute(
        heartbeat.workerId(),
        (id, known) -> {
          if (known == null
              || known.lastAt() < stale
              || !known.last().model().equals(heartbeat.model())) {
            return new Worker(heartbeat, at, at);
          }
          return at < known.lastAt() ? known : new Worker(heartbeat, at, known.firstAt());
        });
    workers.values().removeIf(w -> w.lastAt() < stale);
  }

  /** The models that have at least one live worker, by name. */
  public Map<String, Model> models() {
    long stale = clock.millis() - timeoutMillis;
    Map<String, Model> models = new TreeMap<>();
    for (Worker w : workers.values()) {
      if (w.lastAt() < stale) {
        continue;
      }
      WorkerHeartbeat h = w.last();
      models.merge(
          h.model(),
          new Model(1, h.maxBatch(), h.freeSlots(), h.queueDepth(), w.firstAt()),
          (a, b) ->
              new Model(
                  a.workers() + b.workers(),
                  a.maxBatch() + b.maxBatch(),
                  a.freeSlots() + b.freeSlots(),
                  a.queueDepth() + b.queueDepth(),
                  Math.min(a.since(), b.since())));
    }
    return models;
  }
}
