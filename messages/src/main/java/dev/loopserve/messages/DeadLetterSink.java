package dev.loopserve.messages;

/**
 * Publishes dead letters to {@link Topics#DLQ}. Implementations must not return before the broker
 * has the letter (or throw), so that the consumer commits past a bad record only once it is safely
 * parked.
 */
@FunctionalInterface
public interface DeadLetterSink {

  /** Publishes {@code letter} under the original record's {@code key}. */
  void publish(String key, DeadLetter letter);
}
