package dev.loopserve.inference.runtime;

/** Why generation of a completed request stopped. */
public enum FinishReason {
  /** The model produced {@code <eos>}. */
  EOS,
  /** {@code maxTokens} generated, or the sequence reached the model's {@code max_context}. */
  LENGTH,
  /** The text ended with one of the request's stop sequences. */
  STOP
}
