package dev.loopserve.messages;

import static dev.loopserve.messages.SchemaVersion.required;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One generated token ({@code loopserve.tokens}, keyed by request id), for streaming.
 *
 * @param index 0-based position among the generated tokens
 * @param text the decoded text of this token
 * @param steps recurrences actually run for this token
 * @param at epoch ms at which the token was produced
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TokenEvent(
    int schemaVersion,
    String requestId,
    int index,
    long tokenId,
    String text,
    int steps,
    ExitReason exitReason,
    long at) {

  public TokenEvent {
    SchemaVersion.check(schemaVersion);
    required(requestId, "requestId");
  }

  public TokenEvent(
      String requestId,
      int index,
      long tokenId,
      String text,
      int steps,
      ExitReason exitReason,
      long at) {
    this(SchemaVersion.CURRENT, requestId, index, tokenId, text, steps, exitReason, at);
  }
}
