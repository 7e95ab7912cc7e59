package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.CancelRequest;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.Topics;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes accepted prompts and cancellations and returns only once Kafka has them, so a 202 means
 * the message is durable and will be acted on.
 */
class PromptPublisher {

  private static final Logger log = LoggerFactory.getLogger(PromptPublisher.class);

  private final KafkaTemplate<String, byte[]> kafka;
  private final MessageCodec codec;
  private final Duration timeout;

  PromptPublisher(KafkaTemplate<String, byte[]> kafka, MessageCodec codec, Duration timeout) {
    this.kafka = kafka;
    this.codec = codec;
    this.timeout = timeout;
  }

  /**
   * @throws org.springframework.web.ErrorResponseException 503 when Kafka does not acknowledge in
   *     time
   */
  void publish(PromptSubmitted prompt) {
    send(Topics.PROMPTS, prompt.requestId(), codec.write(prompt), "prompt");
  }

  /**
   * @throws org.springframework.web.ErrorResponseException 503 when Kafka does not acknowledge in
   *     time
   */
  void cancel(CancelRequest cancel) {
    send(Topics.CANCELLATIONS, cancel.requestId(), codec.write(cancel), "cancellation");
  }

  private void send(String topic, String requestId, byte[] value, String what) {
    try {
      kafka.send(topic, requestId, value).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Problems.kafkaUnavailable("Interrupted while queueing the " + what + "; retry");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      log.warn("Could not queue {} {}: {}", what, requestId, e.toString());
      throw Problems.kafkaUnavailable("The " + what + " queue is unavailable; retry shortly");
    }
  }
}
