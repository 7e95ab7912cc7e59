package dev.loopserve.inference.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * A submitted request: its eventual result, and the two ways to stop it early. Thread-safe.
 *
 * <p>{@link #cancel()} ends the request at its next step with a CANCELLED result that the caller
 * publishes. {@link #abandon()} drops it silently: the request is being handed to another worker (a
 * partition was revoked), so publishing anything for it would answer it twice.
 */
public final class Ticket {

  private final GenerationRequest request;
  private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
  private final long submittedNanos;
  private volatile boolean cancelled;
  private volatile boolean abandoned;
  private volatile long startedEpochMillis;

  Ticket(GenerationRequest request, long submittedNanos) {
    this.request = request;
    this.submittedNanos = submittedNanos;
  }

  public GenerationRequest request() {
    return request;
  }

  /** Completes when the request ends; never exceptionally. Abandoned requests never complete. */
  public CompletableFuture<GenerationResult> result() {
    return result;
  }

  public void cancel() {
    cancelled = true;
  }

  public boolean cancelled() {
    return cancelled;
  }

  public void abandon() {
    abandoned = true;
  }

  public boolean abandoned() {
    return abandoned;
  }

  /** Epoch ms at which the runtime started computing, 0 before. */
  public long startedEpochMillis() {
    return startedEpochMillis;
  }

  long submittedNanos() {
    return submittedNanos;
  }

  void started(long epochMillis) {
    startedEpochMillis = epochMillis;
  }

  void complete(GenerationResult value) {
    result.complete(value);
  }
}
