package dev.loopserve.scheduler.budget;

import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.WorkerHeartbeat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Outstanding work and worker capacity per model, fed by this scheduler's own assignments, the
 * results topic and worker heartbeats. Idempotent by request id and worker id.
 */
public final class LoadTracker {

  private record Outstanding(String model, Instant since) {}

  private final Map<String, Outstanding> outstanding = new ConcurrentHashMap<>();
  private final Map<String, WorkerHeartbeat> workers = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration outstandingTtl;
  private final Duration heartbeatTtl;

  /**
   * @param outstandingTtl an assignment with no result after this long stops counting
   * @param heartbeatTtl a worker silent for this long no longer counts
   */
  public LoadTracker(Clock clock, Duration outstandingTtl, Duration heartbeatTtl) {
    this.clock = clock;
    this.outstandingTtl = outstandingTtl;
    this.heartbeatTtl = heartbeatTtl;
  }

  public void assigned(String requestId, String model) {
    outstanding.putIfAbsent(requestId, new Outstanding(model, clock.instant()));
  }

  public void finished(InferenceResult result) {
    outstanding.remove(result.requestId());
  }

  public void heartbeat(WorkerHeartbeat heartbeat) {
    workers.merge(
        heartbeat.workerId(), heartbeat, (old, next) -> next.at() >= old.at() ? next : old);
  }

  /** The current load on {@code model}. */
  public Load load(String model) {
    Instant now = clock.instant();
    outstanding.values().removeIf(o -> o.since().plus(outstandingTtl).isBefore(now));
    workers.values().removeIf(h -> Instant.ofEpochMilli(h.at()).plus(heartbeatTtl).isBefore(now));
    int count = (int) outstanding.values().stream().filter(o -> o.model().equals(model)).count();
    var live = workers.values().stream().filter(h -> h.model().equals(model)).toList();
    double secondsPerStep =
        live.stream().mapToDouble(WorkerHeartbeat::secondsPerStep).average().orElse(0.0);
    return new Load(count, live.size(), secondsPerStep);
  }
}
