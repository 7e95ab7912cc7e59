package dev.loopserve.kafka;

import dev.loopserve.messages.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the loopserve topics with their settings. Topics are provisioned here, next to the
 * broker, rather than by each service, so that services never depend on admin rights and a
 * production cluster can provision the same list with its own tooling.
 */
final class TopicProvisioner {

  private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

  private TopicProvisioner() {}

  /** The topics for the shared flows plus one request topic per model package. */
  static List<NewTopic> topics(List<String> models, int partitions) {
    List<NewTopic> topics = new ArrayList<>();
    for (String name : Topics.SHARED) {
      int n = name.equals(Topics.POLICY) ? 1 : partitions;
      NewTopic topic = new NewTopic(name, n, (short) 1);
      if (Topics.COMPACTED.contains(name)) {
        topic.configs(
            Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      }
      topics.add(topic);
    }
    for (String model : models) {
      topics.add(new NewTopic(Topics.requestsTopic(model), partitions, (short) 1));
    }
    return topics;
  }

  /**
   * Names of the model packages under {@code modelsDir}: sub-directories holding a {@code
   * model.json} whose name is a valid model name. Empty when the directory does not exist.
   */
  static List<String> findModels(Path modelsDir) throws IOException {
    if (modelsDir == null || !Files.isDirectory(modelsDir)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(modelsDir)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("model.json")))
          .map(d -> d.getFileName().toString())
          .filter(Topics::isValidModelName)
          .sorted()
          .toList();
    }
  }

  /** Creates the topics that do not exist yet. */
  static void create(String bootstrapServers, List<NewTopic> topics)
      throws InterruptedException, ExecutionException {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(props)) {
      var results = admin.createTopics(topics).values();
      for (var entry : results.entrySet()) {
        try {
          entry.getValue().get();
          log.info("Created topic {}", entry.getKey());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    }
  }
}
