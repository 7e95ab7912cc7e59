package dev.loopserve.messages;

import static dev.loopserve.messages.SchemaVersion.required;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Capacity report of one inference worker ({@code loopserve.heartbeats}, keyed by worker id).
 *
 * @param at epoch ms of the report
 * @param secondsPerStep EWMA of the wall time of one recurrence step at the current batch size
 * @param batchSize rows in the batch now running
 * @param maxBatch the most rows the worker batches together
 * @param freeSlots {@code maxBatch - batchSize}
 * @param queueDepth requests fetched but not yet started
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record WorkerHeartbeat(
    int schemaVersion,
    String workerId,
    String model,
    long at,
    double secondsPerStep,
    int batchSize,
    int maxBatch,
    int freeSlots,
    int queueDepth) {

  public WorkerHeartbeat {
    SchemaVersion.check(schemaVersion);
    required(workerId, "workerId");
    required(model, "model");
  }

  public WorkerHeartbeat(
      String workerId,
      String model,
      long at,
      double secondsPerStep,
      int batchSize,
      int maxBatch,
      int freeSlots,
      int queueDepth) {
    this(
        SchemaVersion.CURRENT,
        workerId,
        model,
        at,
        secondsPerStep,
        batchSize,
        maxBatch,
        freeSlots,
        queueDepth);
  }
}
