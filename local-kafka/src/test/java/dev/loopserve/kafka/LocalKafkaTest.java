package dev.loopserve.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaTest {

  @TempDir Path tmp;

  @Test
  void startsWithTheContractTopicsAndKeepsDataAcrossRestarts() throws Exception {
    Path models = tmp.resolve("models");
    Files.createDirectories(models.resolve("loop-demo"));
    Files.writeString(models.resolve("loop-demo/model.json"), "{}");
    Files.createDirectories(models.resolve("not-a-package"));
    LocalKafkaSettings settings =
        new LocalKafkaSettings(freePortPair(), tmp.resolve("kafka"), models, 2, false);

    try (LocalKafka kafka = new LocalKafka(settings)) {
      assertThat(kafka.start()).containsExactly("loop-demo");
      try (Admin admin = admin(kafka.bootstrapServers())) {
        Set<String> names = admin.listTopics().names().get();
        assertThat(names).containsAll(Topics.SHARED).contains("loopserve.requests.loop-demo");
        var results = new ConfigResource(ConfigResource.Type.TOPIC, Topics.RESULTS);
        String policy =
            admin
                .describeConfigs(List.of(results))
                .all()
                .get()
                .get(results)
                .get(TopicConfig.CLEANUP_POLICY_CONFIG)
                .value();
        assertThat(policy).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
      }
      try (var producer = producer(kafka.bootstrapServers())) {
        producer.send(new ProducerRecord<>(Topics.RESULTS, "r1", "kept")).get();
      }
    }

    try (LocalKafka again = new LocalKafka(settings)) {
      again.start();
      assertThat(readAll(again.bootstrapServers(), Topics.RESULTS)).containsExactly("kept");
    }
  }

  private static List<String> readAll(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    try (var consumer = new KafkaConsumer<String, String>(p)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      var values = new java.util.ArrayList<String>();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
      return values;
    }
  }

  private static KafkaProducer<String, String> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    return new KafkaProducer<>(p);
  }

  private static Admin admin(String bootstrap) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
  }

  /** A port whose successor is free too, for the controller listener. */
  private static int freePortPair() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      try (ServerSocket next = new ServerSocket(port + 1)) {
        return port;
      } catch (IOException taken) {
        // try another pair
      }
    }
    throw new IOException("no free port pair");
  }
}
