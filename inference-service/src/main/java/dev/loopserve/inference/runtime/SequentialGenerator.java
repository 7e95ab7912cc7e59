package dev.loopserve.inference.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.loopserve.inference.model.LoadedModel;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Runs one request at a time on the caller's thread. It is the reference the batched runtime is
 * tested against: both drive the same {@link Sequence}, so any difference comes from batching.
 */
public final class SequentialGenerator implements AutoCloseable {

  private final LoadedModel model;
  private final GraphRunner runner;

  public SequentialGenerator(OrtEnvironment env, LoadedModel model) {
    this.model = model;
    this.runner = new GraphRunner(env, model);
  }

  /**
   * Generates until {@code <eos>}, a stop sequence, {@code maxTokens} or {@code max_context}.
   *
   * @param cancelled polled before every graph call; when true the request ends CANCELLED with the
   *     tokens generated so far
   */
  public GenerationResult generate(
      GenerationRequest request, TokenListener listener, BooleanSupplier cancelled) {
    Sequence seq;
    try {
      seq = new Sequence(model, request, listener);
    } catch (IllegalArgumentException e) {
      return failed(e.getMessage());
    }
    List<Sequence> rows = List.of(seq);
    try {
      while (seq.phase != Sequence.Phase.DONE) {
        if (cancelled.getAsBoolean()) {
          return seq.result(GenerationResult.Status.CANCELLED, null);
        }
        switch (seq.phase) {
          case PRELUDE -> {
            seq.computeNanos += runner.prelude(rows);
            seq.afterPrelude();
          }
          case CORE -> {
            seq.beforeCore();
            seq.computeNanos += runner.core(rows);
            seq.afterCore();
          }
          case CODA -> {
            seq.computeNanos += runner.coda(rows);
            seq.afterCoda();
          }
          case DONE -> throw new IllegalStateException();
        }
      }
      return seq.result();
    } catch (OrtException e) {
      return seq.result(GenerationResult.Status.FAILED, "ONNX Runtime: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    runner.close();
  }

  static GenerationResult failed(String error) {
    return new GenerationResult(
        GenerationResult.Status.FAILED, new long[0], "", new int[0], List.of(), null, 0, error);
  }
}
