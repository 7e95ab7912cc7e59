package dev.loopserve.gateway.prompt;

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
 * Publishes accepted prompts and returns only once Kafka has them, so a 202 means the prompt is
 * durable and will be answered.
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
    try {
      kafka
          .send(Topics.PROMPTS, prompt.requestId(), codec.write(prompt))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Problems.kafkaUnavailable("Interrupted while queueing the prompt; retry");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      log.warn("Could not queue prompt {}: {}", prompt.requestId(), e.toString());
      throw Problems.kafkaUnavailable("The prompt queue is unavailable; retry shortly");
    }
  }
}
