package dev.loopserve.inference.serving;

import dev.loopserve.messages.DeadLetter;
import dev.loopserve.messages.DeadLetterSink;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.Topics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Publishes this worker's messages as codec JSON, keyed as {@code docs/messages.md} says. */
final class KafkaPublisher implements DeadLetterSink, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaPublisher.class);

  private final Producer<String, byte[]> producer;
  private final MessageCodec codec;

  KafkaPublisher(Producer<String, byte[]> producer, MessageCodec codec) {
    this.producer = producer;
    this.codec = codec;
  }

  /** Completes when the broker has the message (all in-sync replicas), or exceptionally. */
  CompletableFuture<Void> send(String topic, String key, Object message) {
    CompletableFuture<Void> acked = new CompletableFuture<>();
    try {
      producer.send(
          new ProducerRecord<>(topic, key, codec.write(message)),
          (metadata, error) -> {
            if (error == null) {
              acked.complete(null);
            } else {
              acked.completeExceptionally(error);
            }
          });
    } catch (RuntimeException e) {
      acked.completeExceptionally(e);
    }
    return acked;
  }

  /** Best effort: a lost token event or status is superseded by the result. */
  void sendQuietly(String topic, String key, Object message) {
    send(topic, key, message)
        .exceptionally(
            e -> {
              log.warn("Could not publish to {} (key {}): {}", topic, key, e.toString());
              return null;
            });
  }

  @Override
  public void publish(String key, DeadLetter letter) {
    try {
      send(Topics.DLQ, key, letter).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while dead-lettering " + key, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("could not dead-letter " + key + ": " + e.getCause(), e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
