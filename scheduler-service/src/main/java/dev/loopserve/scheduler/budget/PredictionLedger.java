package dev.loopserve.scheduler.budget;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The latency predicted for recent requests, until their results arrive. Bounded: the oldest
 * predictions are dropped first, so lost results cannot grow it.
 */
final class PredictionLedger {

  record Prediction(String model, long predictedMs) {}

  private final int capacity;
  private final LinkedHashMap<String, Prediction> byId;

  PredictionLedger(int capacity) {
    this.capacity = capacity;
    this.byId =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Prediction> eldest) {
            return size() > PredictionLedger.this.capacity;
          }
        };
  }

  synchronized void remember(String requestId, String model, long predictedMs) {
    byId.put(requestId, new Prediction(model, predictedMs));
  }

  /** The prediction, once: a redelivered result finds nothing. */
  synchronized Optional<Prediction> take(String requestId) {
    return Optional.ofNullable(byId.remove(requestId));
  }
}
