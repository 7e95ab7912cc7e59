package dev.loopserve.messages;

import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads records of one message type and parks the unreadable ones on the dead-letter topic, so a
 * poison message never stops a consumer.
 *
 * @param <T> the message type
 */
public final class MessageReader<T> {

  private static final Logger log = LoggerFactory.getLogger(MessageReader.class);

  private final MessageCodec codec;
  private final Class<T> type;
  private final DeadLetterSink sink;
  private final LongSupplier epochMillis;

  /**
   * @param epochMillis wall clock for {@link DeadLetter#at()}, e.g. {@code
   *     System::currentTimeMillis}
   */
  public MessageReader(
      MessageCodec codec, Class<T> type, DeadLetterSink sink, LongSupplier epochMillis) {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.type = Objects.requireNonNull(type, "type");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.epochMillis = Objects.requireNonNull(epochMillis, "epochMillis");
  }

  /**
   * The message in {@code value}, or empty after publishing a {@link DeadLetter} for it.
   *
   * @throws RuntimeException whatever the sink throws when the dead letter cannot be published; the
   *     caller must then not commit the record's offset
   */
  public Optional<T> read(String topic, int partition, long offset, String key, byte[] value) {
    try {
      return Optional.of(codec.read(value, type));
    } catch (UnreadableMessageException e) {
      DeadLetter letter =
          DeadLetter.of(
              topic, partition, offset, key, e.getMessage(), value, epochMillis.getAsLong());
      sink.publish(key, letter);
      log.warn(
          "Parked unreadable record {}-{}@{} (key {}) on {}: {}",
          topic,
          partition,
          offset,
          key,
          Topics.DLQ,
          e.getMessage());
      return Optional.empty();
    }
  }
}
