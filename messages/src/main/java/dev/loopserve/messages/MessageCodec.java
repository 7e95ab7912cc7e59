package dev.loopserve.messages;

import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON encoding of loopserve messages as Kafka values (UTF-8 bytes). Thread-safe; share one.
 *
 * <p>Services produce and consume raw bytes through this codec rather than through a framework
 * converter, so the wire format is the one defined here whichever Spring module moves the bytes,
 * and an unreadable value is a value, not an exception inside a listener container.
 */
public final class MessageCodec {

  private final JsonMapper mapper;

  public MessageCodec() {
    this(defaultMapper());
  }

  public MessageCodec(JsonMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * The mapper settings of the wire format: unknown fields are ignored (newer writers may add
   * some), a null where a number is required is an error, and so is trailing garbage.
   */
  public static JsonMapper defaultMapper() {
    return JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }

  /** The message as UTF-8 JSON. */
  public byte[] write(Object message) {
    return mapper.writeValueAsBytes(message);
  }

  /** The message as a JSON string. */
  public String writeString(Object message) {
    return mapper.writeValueAsString(message);
  }

  /**
   * Reads a message.
   *
   * @throws UnreadableMessageException when {@code value} is null, not JSON, or not a valid {@code
   *     type}; the message says why in one line
   */
  public <T> T read(byte[] value, Class<T> type) {
    if (value == null) {
      throw new UnreadableMessageException(
          "null value (tombstone) where a message was expected", null);
    }
    try {
      T message = mapper.readValue(value, type);
      if (message == null) {
        throw new UnreadableMessageException("JSON null is not a " + type.getSimpleName(), null);
      }
      return message;
    } catch (JacksonException | IllegalArgumentException e) {
      throw new UnreadableMessageException(
          "not a valid " + type.getSimpleName() + ": " + reason(e), e);
    }
  }

  private static String reason(RuntimeException e) {
    // A record constructor's own check says best what is wrong.
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IllegalArgumentException) {
        return firstLine(t.getMessage());
      }
    }
    if (e instanceof JacksonException jackson) {
      String path =
          jackson.getPath().stream()
              .map(
                  r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining("."));
      return firstLine(jackson.getOriginalMessage()) + (path.isEmpty() ? "" : " (at " + path + ")");
    }
    return firstLine(e.getMessage());
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    // Jackson appends source excerpts on further lines; a dead letter's reason stays one line.
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
