package dev.loopserve.scheduler.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.DeadLetter;
import dev.loopserve.messages.InferenceRequest;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.Priority;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.RecurrenceRequest;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.Topics;
import dev.loopserve.messages.WorkerHeartbeat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.binder.test.InputDestination;
import org.springframework.cloud.stream.binder.test.OutputDestination;
import org.springframework.cloud.stream.binder.test.TestChannelBinderConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;

/** The bindings as configured in application.yml, on Spring Cloud Stream's in-memory binder. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "spring.cloud.stream.default-binder=integration",
      "loopserve.scheduler.models-dir=src/test/resources/models",
      "loopserve.scheduler.recovery=false",
      "loopserve.scheduler.lag-interval=1h",
      // The in-memory binder would hand loopserve.status to this input instead of the
      // OutputDestination the test reads; Kafka gives every reader its own copy.
      "spring.cloud.stream.bindings.trackStatus-in-0.destination=loopserve.status.in"
    })
@Import(TestChannelBinderConfiguration.class)
class ScheduleBindingTest {

  @Autowired InputDestination input;
  @Autowired OutputDestination output;

  private final MessageCodec codec = new MessageCodec();

  @Test
  void promptsFlowToTheirModelTopicAndStatusIsAnnounced() {
    PromptSubmitted prompt =
        new PromptSubmitted(
            "r1",
            "t",
            "tiny",
            "a=1;a?",
            2,
            1L,
            null,
            new RecurrenceRequest(20, 40, null, null, null),
            null,
            null,
            null);

    input.send(MessageBuilder.withPayload(codec.write(prompt)).build(), Topics.PROMPTS);

    Message<byte[]> routed = output.receive(5_000, Topics.requestsTopic("tiny"));
    assertThat(routed).isNotNull();
    InferenceRequest request = codec.read(routed.getPayload(), InferenceRequest.class);
    // tiny's manifest caps recurrence at 16.
    assertThat(request.budget().minSteps()).isEqualTo(16);
    assertThat(request.budget().maxSteps()).isEqualTo(16);
    assertThat(request.policyVersion()).isEqualTo(1);
    assertThat(request.predictedLatencyMs()).isPositive();
    Message<byte[]> status = output.receive(5_000, Topics.STATUS);
    assertThat(status).isNotNull();
    assertThat(codec.read(status.getPayload(), StatusUpdate.class).status())
        .isEqualTo(StatusUpdate.Status.SCHEDULED);
  }

  @Test
  void unreadablePromptsGoToTheDeadLetterTopic() {
    input.send(
        MessageBuilder.withPayload("{\"requestId\":".getBytes(StandardCharsets.UTF_8)).build(),
        Topics.PROMPTS);

    Message<byte[]> letter = output.receive(5_000, Topics.DLQ);
    assertThat(letter).isNotNull();
    assertThat(codec.read(letter.getPayload(), DeadLetter.class).reason())
        .startsWith("not a valid PromptSubmitted");
  }

  @Test
  void heartbeatsAndResultsFeedTheLoadThatBudgetsTheNextPrompt() {
    // A fast worker reported: an interactive prompt now gets more than tiny's default of 4.
    input.send(
        MessageBuilder.withPayload(
                codec.write(
                    new WorkerHeartbeat(
                        "w1", "tiny", System.currentTimeMillis(), 0.0002, 1, 16, 15, 0)))
            .build(),
        Topics.HEARTBEATS);
    PromptSubmitted prompt =
        new PromptSubmitted(
            "r2",
            "t",
            "tiny",
            "a=1;a?",
            2,
            System.currentTimeMillis(),
            null,
            null,
            Priority.INTERACTIVE,
            null,
            null);

    input.send(MessageBuilder.withPayload(codec.write(prompt)).build(), Topics.PROMPTS);

    Message<byte[]> routed = output.receive(5_000, Topics.requestsTopic("tiny"));
    assertThat(routed).isNotNull();
    InferenceRequest request = codec.read(routed.getPayload(), InferenceRequest.class);
    assertThat(request.budget().maxSteps()).isEqualTo(16);
    assertThat(request.degraded()).isFalse();
  }
}
