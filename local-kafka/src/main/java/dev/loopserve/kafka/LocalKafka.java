package dev.loopserve.kafka;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a single-node KRaft Kafka on 127.0.0.1 with the loopserve topics, until SIGTERM or Ctrl-C.
 *
 * <p>Standard output carries exactly one line, {@code READY <bootstrap servers>}, once the topics
 * exist, so scripts can wait for it; logs go to standard error.
 */
public final class LocalKafka implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalKafka.class);

  private final LocalKafkaSettings settings;
  private final KafkaNode node;

  public LocalKafka(LocalKafkaSettings settings) {
    this.settings = settings;
    this.node = new KafkaNode(settings);
  }

  /** Starts the node and creates the topics; returns the models that got a request topic. */
  public List<String> start() throws Exception {
    node.start();
    List<String> models = TopicProvisioner.findModels(settings.modelsDir());
    TopicProvisioner.create(
        settings.bootstrapServers(), TopicProvisioner.topics(models, settings.partitions()));
    log.info("Topics ready; request topics for models {}", models);
    return models;
  }

  public String bootstrapServers() {
    return settings.bootstrapServers();
  }

  @Override
  public void close() {
    node.close();
  }

  public static void main(String[] args) throws Exception {
    LocalKafkaSettings settings;
    try {
      settings = LocalKafkaSettings.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(LocalKafkaSettings.USAGE);
      System.exit(2);
      return;
    }
    LocalKafka kafka = new LocalKafka(settings);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  kafka.close();
                  stopped.countDown();
                  // Log4j's own hook is disabled so the broker can log while it stops.
                  org.apache.logging.log4j.LogManager.shutdown();
                },
                "local-kafka-shutdown"));
    try {
      kafka.start();
    } catch (Exception e) {
      log.error("Kafka failed to start", e);
      System.exit(1);
    }
    System.out.println("READY " + kafka.bootstrapServers());
    System.out.flush();
    stopped.await();
  }
}
