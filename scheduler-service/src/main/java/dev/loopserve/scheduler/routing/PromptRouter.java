package dev.loopserve.scheduler.routing;

import dev.loopserve.messages.DeadLetter;
import dev.loopserve.messages.InferenceRequest;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.Topics;
import dev.loopserve.messages.UnreadableMessageException;
import dev.loopserve.scheduler.budget.Assignment;
import dev.loopserve.scheduler.budget.BudgetPolicy;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeTypeUtils;

/**
 * Turns each submitted prompt into an {@link InferenceRequest} on its model's request topic, with a
 * budget from the {@link BudgetPolicy}, and announces it as {@code scheduled}. A prompt that cannot
 * be read becomes a {@link DeadLetter} instead, so the stream never stops on it.
 *
 * <p>The destination travels in the {@value #DESTINATION_HEADER} header, which Spring Cloud Stream
 * honours for function output.
 */
public final class PromptRouter {

  public static final String DESTINATION_HEADER = "spring.cloud.stream.sendto.destination";

  private static final Logger log = LoggerFactory.getLogger(PromptRouter.class);

  private final MessageCodec codec;
  private final BudgetPolicy policy;
  private final StatusPublisher status;
  private final Clock clock;

  public PromptRouter(
      MessageCodec codec, BudgetPolicy policy, StatusPublisher status, Clock clock) {
    this.codec = codec;
    this.policy = policy;
    this.status = status;
    this.clock = clock;
  }

  public Message<byte[]> route(Message<byte[]> in) {
    RecordOrigin origin = RecordOrigin.of(in.getHeaders(), Topics.PROMPTS);
    PromptSubmitted prompt;
    try {
      prompt = codec.read(in.getPayload(), PromptSubmitted.class);
    } catch (UnreadableMessageException e) {
      return deadLetter(origin, e.getMessage(), in.getPayload());
    }
    if (!Topics.isValidModelName(prompt.model())) {
      return deadLetter(origin, "invalid model name '" + prompt.model() + "'", in.getPayload());
    }
    Assignment a;
    try {
      a = policy.assign(prompt);
    } catch (IllegalArgumentException e) {
      return deadLetter(origin, "cannot budget the prompt: " + e.getMessage(), in.getPayload());
    }
    long now = clock.millis();
    InferenceRequest request =
        new InferenceRequest(
            prompt.requestId(),
            prompt.tenant(),
            prompt.model(),
            prompt.prompt(),
            prompt.maxTokens(),
            prompt.submittedAt(),
            now,
            prompt.sampling(),
            a.budget(),
            a.policyVersion(),
            a.predictedLatencyMs(),
            a.degraded(),
            prompt.priority(),
            prompt.deadline());
    status.publish(
        new StatusUpdate(prompt.requestId(), StatusUpdate.Status.SCHEDULED, now, a.budget(), null));
    log.debug(
        "Scheduled {} on {} with r={}..{}, predicted {} ms{}",
        prompt.requestId(),
        prompt.model(),
        a.budget().minSteps(),
        a.budget().maxSteps(),
        a.predictedLatencyMs(),
        a.degraded() ? " (degraded)" : "");
    return message(codec.write(request), prompt.requestId(), Topics.requestsTopic(prompt.model()));
  }

  private Message<byte[]> deadLetter(RecordOrigin origin, String reason, byte[] payload) {
    log.warn(
        "Parking unreadable prompt {}-{}@{} on {}: {}",
        origin.topic(),
        origin.partition(),
        origin.offset(),
        Topics.DLQ,
        reason);
    DeadLetter letter =
        DeadLetter.of(
            origin.topic(),
            origin.partition(),
            origin.offset(),
            origin.key(),
            reason,
            payload,
            clock.millis());
    return message(codec.write(letter), origin.key(), Topics.DLQ);
  }

  private static Message<byte[]> message(byte[] payload, String key, String destination) {
    MessageBuilder<byte[]> b =
        MessageBuilder.withPayload(payload)
            .setHeader(DESTINATION_HEADER, destination)
            .setHeader(MessageHeaders.CONTENT_TYPE, MimeTypeUtils.APPLICATION_JSON_VALUE);
    if (key != null) {
      b.setHeader(KafkaHeaders.KEY, key);
    }
    return b.build();
  }
}
