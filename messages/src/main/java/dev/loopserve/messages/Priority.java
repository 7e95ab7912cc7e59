package dev.loopserve.messages;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How urgently a request wants an answer; the scheduler trades recurrence for latency by it. */
public enum Priority {
  @JsonProperty("interactive")
  INTERACTIVE,
  @JsonProperty("standard")
  STANDARD,
  @JsonProperty("batch")
  BATCH
}
