package dev.loopserve.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KRaft process that is both broker and controller, listening on loopback only. Formats its
 * storage on first start and reuses it afterwards.
 */
final class KafkaNode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaNode.class);

  private final LocalKafkaSettings settings;
  private KafkaRaftServer server;

  KafkaNode(LocalKafkaSettings settings) {
    this.settings = settings;
  }

  /** Formats storage if needed and starts the node; returns once it accepts connections. */
  void start() throws IOException {
    if (settings.clean()) {
      deleteRecursively(settings.dataDir());
    }
    Files.createDirectories(settings.dataDir());
    Path config = settings.dataDir().resolve("server.properties");
    Properties props = serverProperties();
    try (var out = Files.newBufferedWriter(config)) {
      props.store(out, "written by loopserve local-kafka on every start");
    }
    if (!Files.exists(logDir().resolve("meta.properties"))) {
      format(config);
    }
    server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
    server.startup();
    log.info("Kafka listening on {} (data in {})", settings.bootstrapServers(), settings.dataDir());
  }

  private void format(Path config) {
    String clusterId = Uuid.randomUuid().toString();
    // The storage tool prints progress; capture it so our own stdout stays machine-readable.
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      rc =
          StorageTool.execute(
              new String[] {"format", "-t", clusterId, "-c", config.toString()}, out);
    }
    String output = captured.toString(StandardCharsets.UTF_8).strip();
    if (rc != 0) {
      throw new IllegalStateException("Formatting " + settings.dataDir() + " failed: " + output);
    }
    log.debug("storage format: {}", output);
  }

  private Properties serverProperties() {
    String host = "127.0.0.1";
    Properties p = new Properties();
    p.putAll(
        Map.ofEntries(
            Map.entry("process.roles", "broker,controller"),
            Map.entry("node.id", "1"),
            Map.entry("controller.quorum.voters", "1@" + host + ":" + settings.controllerPort()),
            Map.entry(
                "listeners",
                "PLAINTEXT://"
                    + host
                    + ":"
                    + settings.port()
                    + ",CONTROLLER://"
                    + host
                    + ":"
                    + settings.controllerPort()),
            Map.entry("advertised.listeners", "PLAINTEXT://" + host + ":" + settings.port()),
            Map.entry("controller.listener.names", "CONTROLLER"),
            Map.entry("inter.broker.listener.name", "PLAINTEXT"),
            Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
            Map.entry("log.dirs", logDir().toString()),
            Map.entry("num.partitions", Integer.toString(settings.partitions())),
            // Single node: every internal topic has one replica, and few partitions keep start-up
            // quick on a small machine.
            Map.entry("offsets.topic.replication.factor", "1"),
            Map.entry("offsets.topic.num.partitions", "4"),
            Map.entry("transaction.state.log.replication.factor", "1"),
            Map.entry("transaction.state.log.min.isr", "1"),
            Map.entry("transaction.state.log.num.partitions", "4"),
            Map.entry("share.coordinator.state.topic.replication.factor", "1"),
            Map.entry("share.coordinator.state.topic.min.isr", "1"),
            Map.entry("group.initial.rebalance.delay.ms", "0"),
            // Topics are created explicitly with their settings; auto-creation stays on only so
            // that a request for a model added after start-up still finds a topic.
            Map.entry("auto.create.topics.enable", "true")));
    return p;
  }

  private Path logDir() {
    return settings.dataDir().toAbsolutePath().resolve("data");
  }

  @Override
  public void close() {
    if (server != null) {
      log.info("Stopping Kafka on {}", settings.bootstrapServers());
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
