package dev.loopserve.inference.model;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * How ONNX Runtime sessions are set up.
 *
 * @param intraOpThreads threads one graph call may use; 0 means all available processors
 * @param allowSpinning let idle ORT threads spin between calls: lower latency per step, but burns
 *     CPU that co-located services could use
 */
public record OrtOptions(int intraOpThreads, boolean allowSpinning) {

  public OrtOptions {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0, was " + intraOpThreads);
    }
  }

  /**
   * All cores, no spinning: spinning threads only pay off on a machine of their own, and on a
   * shared one (Kafka, other services) they made steps several times slower in our measurements.
   */
  public static OrtOptions defaults() {
    return new OrtOptions(0, false);
  }

  public int effectiveThreads() {
    return intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors();
  }

  OrtSession.SessionOptions toSessionOptions() throws OrtException {
    var options = new OrtSession.SessionOptions();
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    options.setIntraOpNumThreads(effectiveThreads());
    options.setInterOpNumThreads(1);
    options.addConfigEntry("session.intra_op.allow_spinning", allowSpinning ? "1" : "0");
    options.addConfigEntry("session.set_denormal_as_zero", "1");
    return options;
  }
}
