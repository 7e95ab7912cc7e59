package dev.loopserve.messages;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A message a consumer could not read ({@code loopserve.dlq}, keyed by the original key).
 *
 * @param partition source partition, or -1 when unknown
 * @param offset source offset, or -1 when unknown
 * @param reason why it could not be read
 * @param payload the original value as UTF-8 text, or {@code base64:}-prefixed when it was not
 *     valid UTF-8; null when the value was null
 * @param at epoch ms at which the consumer gave up on it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record DeadLetter(
    int schemaVersion,
    String sourceTopic,
    int partition,
    long offset,
    String key,
    String reason,
    String payload,
    long at) {

  public DeadLetter {
    SchemaVersion.check(schemaVersion);
  }

  /** A dead letter for a raw record value. */
  public static DeadLetter of(
      String sourceTopic,
      int partition,
      long offset,
      String key,
      String reason,
      byte[] value,
      long at) {
    return new DeadLetter(
        SchemaVersion.CURRENT, sourceTopic, partition, offset, key, reason, text(value), at);
  }

  private static String text(byte[] value) {
    if (value == null) {
      return null;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      return "base64:" + Base64.getEncoder().encodeToString(value);
    }
  }
}
