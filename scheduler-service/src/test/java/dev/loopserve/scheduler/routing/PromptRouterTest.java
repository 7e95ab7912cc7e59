package dev.loopserve.scheduler.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.Budget;
import dev.loopserve.messages.DeadLetter;
import dev.loopserve.messages.InferenceRequest;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.RecurrenceRequest;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.Topics;
import dev.loopserve.policy.LoadTracker;
import dev.loopserve.policy.ModelProfile;
import dev.loopserve.policy.PolicyConfig;
import dev.loopserve.scheduler.budget.AdaptiveBudgetPolicy;
import dev.loopserve.scheduler.budget.BudgetMetrics;
import dev.loopserve.scheduler.budget.ModelPolicies;
import dev.loopserve.scheduler.model.ModelManifests;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;

class PromptRouterTest {

  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(5_000), ZoneOffset.UTC);
  private final MessageCodec codec = new MessageCodec();
  private final List<StatusUpdate> statuses = new ArrayList<>();
  private final AdaptiveBudgetPolicy policy =
      new AdaptiveBudgetPolicy(
          new ModelPolicies(
              ModelManifests.of(ModelProfile.builder("loop-demo").recurrence(1, 8, 32).build()),
              PolicyConfig.builder().build()),
          LoadTracker.builder(clock).build(),
          new BudgetMetrics(new SimpleMeterRegistry()),
          clock);
  private final PromptRouter router = new PromptRouter(codec, policy, statuses::add, clock);

  @Test
  void routesAPromptToItsModelsTopicWithABudgetAndAnnouncesIt() {
    PromptSubmitted prompt =
        new PromptSubmitted(
            "r1",
            "t",
            "loop-demo",
            "a=3;a?",
            2,
            4_000L,
            null,
            RecurrenceRequest.fixed(5),
            null,
            null,
            9_000L);

    Message<byte[]> out = router.route(MessageBuilder.withPayload(codec.write(prompt)).build());

    assertThat(out.getHeaders().get(PromptRouter.DESTINATION_HEADER))
        .isEqualTo("loopserve.requests.loop-demo");
    assertThat(out.getHeaders().get(KafkaHeaders.KEY)).isEqualTo("r1");
    InferenceRequest request = codec.read(out.getPayload(), InferenceRequest.class);
    assertThat(request.requestId()).isEqualTo("r1");
    assertThat(request.budget()).isEqualTo(Budget.fixed(5));
    assertThat(request.submittedAt()).isEqualTo(4_000L);
    assertThat(request.scheduledAt()).isEqualTo(5_000L);
    assertThat(request.deadline()).isEqualTo(9_000L);
    assertThat(request.maxTokens()).isEqualTo(2);
    assertThat(request.policyVersion()).isEqualTo(1);
    assertThat(request.predictedLatencyMs()).isPositive();
    assertThat(request.degraded()).isFalse();
    assertThat(statuses)
        .containsExactly(
            new StatusUpdate("r1", StatusUpdate.Status.SCHEDULED, 5_000L, Budget.fixed(5), null));
    assertThat(policy.tracker().snapshot("loop-demo").outstandingRequests()).isEqualTo(1);
  }

  @Test
  void turnsAnUnreadablePromptIntoADeadLetterWithItsOrigin() {
    Message<byte[]> in =
        MessageBuilder.withPayload("not json".getBytes(StandardCharsets.UTF_8))
            .setHeader(KafkaHeaders.RECEIVED_TOPIC, Topics.PROMPTS)
            .setHeader(KafkaHeaders.RECEIVED_PARTITION, 3)
            .setHeader(KafkaHeaders.OFFSET, 77L)
            .setHeader(KafkaHeaders.RECEIVED_KEY, "k1")
            .build();

    Message<byte[]> out = router.route(in);

    assertThat(out.getHeaders().get(PromptRouter.DESTINATION_HEADER)).isEqualTo(Topics.DLQ);
    assertThat(out.getHeaders().get(KafkaHeaders.KEY)).isEqualTo("k1");
    DeadLetter letter = codec.read(out.getPayload(), DeadLetter.class);
    assertThat(letter.sourceTopic()).isEqualTo(Topics.PROMPTS);
    assertThat(letter.partition()).isEqualTo(3);
    assertThat(letter.offset()).isEqualTo(77L);
    assertThat(letter.payload()).isEqualTo("not json");
    assertThat(letter.reason()).startsWith("not a valid PromptSubmitted");
    assertThat(statuses).isEmpty();
  }

  @Test
  void deadLettersAPromptWhoseModelNameCannotBeATopic() {
    PromptSubmitted prompt =
        new PromptSubmitted("r2", "t", "../etc", "p", 1, 0L, null, null, null, null, null);

    Message<byte[]> out = router.route(MessageBuilder.withPayload(codec.write(prompt)).build());

    assertThat(out.getHeaders().get(PromptRouter.DESTINATION_HEADER)).isEqualTo(Topics.DLQ);
    assertThat(codec.read(out.getPayload(), DeadLetter.class).reason())
        .contains("invalid model name");
  }

  @Test
  void deadLettersAPromptThePolicyCannotHonour() {
    PromptSubmitted prompt =
        new PromptSubmitted("r3", "t", "loop-demo", "p", 1, 0L, null, null, null, 0L, null);

    Message<byte[]> out = router.route(MessageBuilder.withPayload(codec.write(prompt)).build());

    assertThat(out.getHeaders().get(PromptRouter.DESTINATION_HEADER)).isEqualTo(Topics.DLQ);
    assertThat(codec.read(out.getPayload(), DeadLetter.class).reason())
        .contains("latencyTarget must be positive");
    assertThat(statuses).isEmpty();
  }
}
