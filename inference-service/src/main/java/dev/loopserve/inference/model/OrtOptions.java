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

  /** All cores, spinning on: the fastest setting on a machine of its own. */
  public static OrtOptions defaults() {
    return new OrtOptions(0, true);
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
    return options;
  }
}
