package dev.loopserve.gateway.prompt;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a prompt is in its life, as clients see it; later stages have higher ranks. */
public enum PromptStatus {
  @JsonProperty("queued")
  QUEUED(false),
  @JsonProperty("scheduled")
  SCHEDULED(false),
  @JsonProperty("running")
  RUNNING(false),
  @JsonProperty("succeeded")
  SUCCEEDED(true),
  @JsonProperty("failed")
  FAILED(true),
  @JsonProperty("expired")
  EXPIRED(true),
  @JsonProperty("cancelled")
  CANCELLED(true);

  private final boolean terminal;

  PromptStatus(boolean terminal) {
    this.terminal = terminal;
  }

  public boolean terminal() {
    return terminal;
  }
}
