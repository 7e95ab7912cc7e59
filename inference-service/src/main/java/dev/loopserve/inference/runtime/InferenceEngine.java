package dev.loopserve.inference.runtime;

/** Runs requests for one model on a thread of its own. */
public interface InferenceEngine extends AutoCloseable {

  /**
   * Queues a request. {@code listener} is called on the engine's thread for each token.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  Ticket submit(GenerationRequest request, TokenListener listener);

  /** A point-in-time view for heartbeats and metrics. */
  EngineStats stats();

  /**
   * Stops taking requests, finishes the ones already running or queued within {@code graceMillis},
   * then abandons the rest and stops the thread.
   */
  void shutdown(long graceMillis) throws InterruptedException;

  @Override
  default void close() throws InterruptedException {
    shutdown(0);
  }
}
