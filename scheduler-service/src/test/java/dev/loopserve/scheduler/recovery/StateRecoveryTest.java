package dev.loopserve.scheduler.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.Budget;
import dev.loopserve.messages.InferenceRequest;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.PolicySnapshot;
import dev.loopserve.messages.Priority;
import dev.loopserve.messages.Topics;
import dev.loopserve.policy.LoadTracker;
import dev.loopserve.policy.ModelProfile;
import dev.loopserve.policy.PolicyConfig;
import dev.loopserve.policy.PriorityClass;
import dev.loopserve.scheduler.budget.AdaptiveBudgetPolicy;
import dev.loopserve.scheduler.budget.BudgetMetrics;
import dev.loopserve.scheduler.budget.ModelPolicies;
import dev.loopserve.scheduler.budget.PolicyOverride;
import dev.loopserve.scheduler.model.ModelManifests;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * A restarted scheduler rebuilds its overrides, versions and outstanding work from a real broker:
 * what an earlier instance left on {@code loopserve.policy} and on the request topic past the
 * inference group's committed offset.
 */
@EmbeddedKafka(
    partitions = 1,
    topics = {Topics.POLICY, "loopserve.requests.tiny"})
class StateRecoveryTest {

  private final MessageCodec codec = new MessageCodec();
  private final Clock clock = Clock.systemUTC();

  @Test
  void restoresOverridesVersionsAndUnconsumedRequests(EmbeddedKafkaBroker broker) throws Exception {
    String bootstrap = broker.getBrokersAsString();
    PolicyOverride override =
        new PolicyOverride(2, 8, Map.of(PriorityClass.BATCH, Duration.ofSeconds(10)));
    try (var producer = producer(bootstrap)) {
      // Two generations of the policy; compaction may or may not have merged them.
      producer.send(snapshot(2, PolicyOverride.NONE)).get();
      producer.send(snapshot(5, override)).get();
      for (int i = 0; i < 5; i++) {
        producer
            .send(
                new ProducerRecord<>(
                    "loopserve.requests.tiny", "r" + i, codec.write(request("r" + i, 6))))
            .get();
      }
    }
    // The inference group has consumed the first two requests.
    try (var inference = consumer(bootstrap, Topics.inferenceGroup("tiny"))) {
      inference.commitSync(
          Map.of(new TopicPartition("loopserve.requests.tiny", 0), new OffsetAndMetadata(2)));
    }

    AdaptiveBudgetPolicy restarted = policy();
    StateRecovery.Outcome outcome;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        var consumer = consumer(bootstrap, null)) {
      outcome =
          new StateRecovery(admin, consumer, codec, restarted, clock, Duration.ofSeconds(30)).run();
    }

    assertThat(outcome).isEqualTo(new StateRecovery.Outcome(1, 3));
    ModelPolicies.Current tiny = restarted.policies().current("tiny");
    assertThat(tiny.version()).isEqualTo(5);
    assertThat(tiny.override()).isEqualTo(override);
    assertThat(tiny.profile().recurrence().max()).isEqualTo(8);
    var load = restarted.tracker().snapshot("tiny");
    assertThat(load.outstandingRequests()).isEqualTo(3);
    // Priced at their real budgets: 2 tokens x (6 + 1) step units each.
    assertThat(load.workAhead()).isEqualTo(3 * 2 * 7.0);
    // The next override continues the version sequence.
    assertThat(restarted.policies().override("tiny", PolicyOverride.NONE).version()).isEqualTo(6);

    // Recovering twice (a retry) counts nothing twice.
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        var consumer = consumer(bootstrap, null)) {
      new StateRecovery(admin, consumer, codec, restarted, clock, Duration.ofSeconds(30)).run();
    }
    assertThat(restarted.tracker().snapshot("tiny").outstandingRequests()).isEqualTo(3);
  }

  private AdaptiveBudgetPolicy policy() {
    return new AdaptiveBudgetPolicy(
        new ModelPolicies(
            ModelManifests.of(ModelProfile.builder("tiny").recurrence(1, 4, 16).build()),
            PolicyConfig.builder().build()),
        LoadTracker.builder(clock).build(),
        new BudgetMetrics(new SimpleMeterRegistry()),
        clock);
  }

  private ProducerRecord<String, byte[]> snapshot(long version, PolicyOverride override) {
    return new ProducerRecord<>(
        Topics.POLICY,
        "tiny",
        codec.write(
            new PolicySnapshot(
                "tiny", version, 0L, 1, 16, 4, 1, Map.of("override", override.toMap()))));
  }

  private static InferenceRequest request(String id, int steps) {
    return new InferenceRequest(
        id,
        "t",
        "tiny",
        "a=1;a?",
        2,
        0L,
        0L,
        null,
        Budget.fixed(steps),
        1L,
        100L,
        false,
        Priority.BATCH,
        null);
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
  }

  private static KafkaConsumer<String, byte[]> consumer(String bootstrap, String group) {
    Map<String, Object> props = new java.util.HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    if (group != null) {
      props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    }
    return new KafkaConsumer<>(props);
  }
}
