package dev.loopserve.inference.runtime;

/**
 * What an engine is doing now.
 *
 * @param running requests in the batch
 * @param maxBatch the most requests batched together
 * @param queued requests submitted but not yet started
 * @param secondsPerStep EWMA of the wall time of one core call at the recent batch sizes
 */
public record EngineStats(int running, int maxBatch, int queued, double secondsPerStep) {

  public int freeSlots() {
    return Math.max(0, maxBatch - running);
  }
}
