package dev.loopserve.messages;

/** A Kafka value that is not a valid message of the expected type. */
public class UnreadableMessageException extends RuntimeException {

  public UnreadableMessageException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
