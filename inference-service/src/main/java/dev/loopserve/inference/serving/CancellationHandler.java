package dev.loopserve.inference.serving;

import dev.loopserve.messages.CancelRequest;
import dev.loopserve.messages.MessageReader;

/**
 * Applies cancellations from {@code loopserve.cancellations}; unreadable ones are dead-lettered.
 */
final class CancellationHandler {

  private final MessageReader<CancelRequest> reader;
  private final Cancellations cancellations;

  CancellationHandler(MessageReader<CancelRequest> reader, Cancellations cancellations) {
    this.reader = reader;
    this.cancellations = cancellations;
  }

  void handle(String topic, int partition, long offset, String key, byte[] value) {
    reader
        .read(topic, partition, offset, key, value)
        .ifPresent(cancel -> cancellations.cancel(cancel.requestId()));
  }
}
