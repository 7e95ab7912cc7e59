package dev.loopserve.gateway.security;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a bad API-key configuration into the start-up report an operator can act on. */
class InvalidApiKeysFailureAnalyzer extends AbstractFailureAnalyzer<InvalidApiKeysException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidApiKeysException cause) {
    return new FailureAnalysis(
        "The gateway's API keys cannot be used: " + cause.getMessage(),
        "Fix the key files in loopserve.gateway.auth.keys-dir or the inline"
            + " loopserve.gateway.auth.keys (each needs sha256=<64 hex digits of the key's SHA-256>"
            + " and tenant=<name>), or set loopserve.gateway.auth.enabled=false to start without"
            + " authentication.",
        cause);
  }
}
