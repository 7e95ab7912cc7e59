package dev.loopserve.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.inference.TestModels;
import dev.loopserve.messages.CancelRequest;
import dev.loopserve.messages.MessageCodec;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.binder.test.InputDestination;
import org.springframework.cloud.stream.binder.test.TestChannelBinderConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The cancellations binding wired as in application.yml, on the test binder (second tier). */
@SpringBootTest(properties = "loopserve.inference.consume=false")
@Import(TestChannelBinderConfiguration.class)
class CancellationBindingTest {

  @DynamicPropertySource
  static void models(DynamicPropertyRegistry registry) {
    registry.add("loopserve.inference.models-dir", () -> TestModels.modelsDir().toString());
  }

  @Autowired InputDestination input;
  @Autowired Cancellations cancellations;

  @Test
  void aCancellationOnTheTopicReachesTheRegistry() {
    byte[] value = new MessageCodec().write(new CancelRequest("r-9", "t", 1));
    input.send(
        MessageBuilder.withPayload(value)
            .setHeader(KafkaHeaders.RECEIVED_KEY, "r-9")
            .setHeader(KafkaHeaders.RECEIVED_TOPIC, "loopserve.cancellations")
            .build(),
        "loopserve.cancellations");
    assertThat(cancellations.isCancelled("r-9")).isTrue();
  }
}
