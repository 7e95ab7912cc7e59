package dev.loopserve.policy;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One live worker in a {@link LoadSnapshot}.
 *
 * @param workerId worker id
 * @param maxBatch most sequences it batches
 * @param batchSize sequences in its batch at the last heartbeat
 * @param stepTimes smoothed t(b) learnt from its heartbeats, or null when it has not reported a
 *     step time yet
 * @param lastSeen when its last heartbeat arrived
 */
public record WorkerLoad(
    String workerId, int maxBatch, int batchSize, StepTimeCurve stepTimes, Instant lastSeen) {

  public WorkerLoad {
    Objects.requireNonNull(workerId, "workerId");
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1");
    }
    Objects.requireNonNull(lastSeen, "lastSeen");
  }

  public Optional<StepTimeCurve> curve() {
    return Optional.ofNullable(stepTimes);
  }
}
