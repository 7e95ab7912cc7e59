package dev.loopserve.inference;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the inference worker ({@code loopserve.inference.*}).
 *
 * @param modelsDir directory whose sub-directories are model packages; relative to the working
 *     directory (the repository root when run from there)
 * @param workerId identity in heartbeats and results; blank means host name and pid
 * @param engine {@code batched} (depth-wise continuous batching) or {@code serial} (one request at
 *     a time)
 * @param maxBatch the most requests that share a graph call
 * @param batchWait how long a step waits for more requests when the batch is not full; 0 never
 *     waits, which suits interactive traffic
 * @param intraOpThreads ONNX Runtime threads per graph call; 0 means all processors. One, with
 *     {@code parallelism} at the core count, is the default because this model's calls are small: a
 *     second thread inside one call buys little, a second call at the same time nearly doubles
 * @param parallelism graph calls of one step that run at the same time (chunks of the batch); 0
 *     means all processors
 * @param allowSpinning let ONNX Runtime threads spin between calls; only worth it on a machine of
 *     its own (on a shared one spinning made steps several times slower)
 * @param maxCallPositions most padded positions (rows × longest row) in one graph call; bigger
 *     batches are split into calls of similar-length rows, which keeps activations in cache
 * @param maxQueued requests fetched from Kafka but not yet finished, per model, before the consumer
 *     pauses fetching
 * @param heartbeatInterval how often a {@code WorkerHeartbeat} is published
 * @param handoffTimeout how long a revoked partition or a shutdown waits for running requests
 *     before handing them back un-acknowledged
 * @param doneIdsCapacity request ids remembered as answered, to drop redeliveries
 */
@ConfigurationProperties("loopserve.inference")
@Validated
public record InferenceProperties(
    @NotNull @DefaultValue("models") Path modelsDir,
    @DefaultValue("") String workerId,
    @NotNull @DefaultValue("batched") Engine engine,
    @Min(1) @Max(1024) @DefaultValue("16") int maxBatch,
    @NotNull @DefaultValue("0ms") Duration batchWait,
    @Min(0) @DefaultValue("1") int intraOpThreads,
    @Min(0) @DefaultValue("0") int parallelism,
    @DefaultValue("false") boolean allowSpinning,
    @Min(1) @DefaultValue("512") int maxCallPositions,
    @Min(1) @DefaultValue("32") int maxQueued,
    @NotNull @DefaultValue("3s") Duration heartbeatInterval,
    @NotNull @DefaultValue("20s") Duration handoffTimeout,
    @Min(1) @DefaultValue("100000") int doneIdsCapacity) {

  /** Which runtime serves requests. */
  public enum Engine {
    BATCHED,
    SERIAL
  }

  /** {@link #parallelism()}, with 0 resolved to the processor count. */
  public int resolvedParallelism() {
    return parallelism > 0 ? parallelism : Runtime.getRuntime().availableProcessors();
  }

  /** {@link #workerId()}, or host name and pid when blank. */
  public String resolvedWorkerId() {
    if (!workerId.isBlank()) {
      return workerId;
    }
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "inference";
    }
    return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
  }
}
