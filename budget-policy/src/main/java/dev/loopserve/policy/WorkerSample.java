package dev.loopserve.policy;

/**
 * One worker heartbeat, as the policy needs it (the fields of the {@code WorkerHeartbeat} message).
 *
 * @param workerId worker id
 * @param model model the worker serves
 * @param secondsPerStep the worker's smoothed seconds per core-step iteration at {@code batchSize};
 *     ignored for the step-time table when {@code batchSize} is 0 or this is not > 0
 * @param batchSize sequences in the batch the time was measured at (0 when idle)
 * @param maxBatch most sequences the worker batches, >= 1
 * @param freeSlots batch slots free now
 * @param queueDepth requests the worker holds but has not started
 */
public record WorkerSample(
    String workerId,
    String model,
    double secondsPerStep,
    int batchSize,
    int maxBatch,
    int freeSlots,
    int queueDepth) {

  public WorkerSample {
    if (workerId == null || workerId.isBlank()) {
      throw new IllegalArgumentException("workerId is required");
    }
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("model is required");
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1");
    }
    if (batchSize < 0 || freeSlots < 0 || queueDepth < 0) {
      throw new IllegalArgumentException("batchSize, freeSlots and queueDepth must be >= 0");
    }
    if (Double.isNaN(secondsPerStep) || Double.isInfinite(secondsPerStep)) {
      throw new IllegalArgumentException("secondsPerStep must be finite");
    }
  }

  /** True when this sample says something about step time. */
  boolean hasStepTime() {
    return batchSize >= 1 && secondsPerStep > 0;
  }
}
