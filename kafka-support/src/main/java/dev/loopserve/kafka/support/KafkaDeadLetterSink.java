package dev.loopserve.kafka.support;

import dev.loopserve.messages.DeadLetter;
import dev.loopserve.messages.DeadLetterSink;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.Topics;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/** Publishes dead letters to {@link Topics#DLQ} and waits for the broker's acknowledgement. */
public class KafkaDeadLetterSink implements DeadLetterSink, AutoCloseable {

  private final Producer<String, byte[]> producer;
  private final MessageCodec codec;
  private final Duration timeout;

  public KafkaDeadLetterSink(
      Producer<String, byte[]> producer, MessageCodec codec, Duration timeout) {
    this.producer = producer;
    this.codec = codec;
    this.timeout = timeout;
  }

  @Override
  public void publish(String key, DeadLetter letter) {
    try {
      producer
          .send(new ProducerRecord<>(Topics.DLQ, key, codec.write(letter)))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while publishing a dead letter", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaException("could not publish a dead letter to " + Topics.DLQ, e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
