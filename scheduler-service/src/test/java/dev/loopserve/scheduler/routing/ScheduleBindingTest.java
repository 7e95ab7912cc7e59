package dev.loopserve.scheduler.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.DeadLetter;
import dev.loopserve.messages.InferenceRequest;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.RecurrenceRequest;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.Topics;
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
      "loopserve.scheduler.models-dir=src/test/resources/models"
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
            new RecurrenceRequest(null, 40, null, null, null),
            null,
            null,
            null);

    input.send(MessageBuilder.withPayload(codec.write(prompt)).build(), Topics.PROMPTS);

    Message<byte[]> routed = output.receive(5_000, Topics.requestsTopic("tiny"));
    assertThat(routed).isNotNull();
    InferenceRequest request = codec.read(routed.getPayload(), InferenceRequest.class);
    // tiny's manifest caps recurrence at 16.
    assertThat(request.budget().maxSteps()).isEqualTo(16);
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
}
