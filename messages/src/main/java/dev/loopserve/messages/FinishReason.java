package dev.loopserve.messages;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Why generation stopped. */
public enum FinishReason {
  @JsonProperty("eos")
  EOS,
  @JsonProperty("length")
  LENGTH,
  @JsonProperty("stop")
  STOP
}
