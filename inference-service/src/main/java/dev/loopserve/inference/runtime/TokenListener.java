package dev.loopserve.inference.runtime;

/** Receives tokens while a request runs; called on the runtime's thread, so keep it short. */
@FunctionalInterface
public interface TokenListener {

  TokenListener NONE = token -> {};

  void onToken(GeneratedToken token);
}
