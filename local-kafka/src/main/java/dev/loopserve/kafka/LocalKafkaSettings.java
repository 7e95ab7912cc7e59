package dev.loopserve.kafka;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to run the local broker.
 *
 * @param port the client (PLAINTEXT) port on 127.0.0.1; the controller listens on {@code port+1}
 * @param dataDir where the broker keeps its log and metadata; formatted on first start
 * @param modelsDir a {@code models/} directory; each sub-directory with a {@code model.json} gets a
 *     request topic. May be null or absent: then only the shared topics are created
 * @param partitions partitions of each topic except the policy topic (1)
 * @param clean wipe {@code dataDir} before starting, for a run that must not see old messages
 */
public record LocalKafkaSettings(
    int port, Path dataDir, Path modelsDir, int partitions, boolean clean) {

  public static final int DEFAULT_PORT = 9092;

  public LocalKafkaSettings {
    if (port < 1 || port > 65534) {
      throw new IllegalArgumentException("port must be in 1..65534, was " + port);
    }
    Objects.requireNonNull(dataDir, "dataDir");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
  }

  public int controllerPort() {
    return port + 1;
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  static final String USAGE =
      """
      usage: java -jar local-kafka.jar [--port N] [--data-dir DIR] [--models-dir DIR]
                                       [--partitions N] [--clean]
        --port        client port on 127.0.0.1 (default 9092; the controller uses port+1)
        --data-dir    broker storage, formatted on first start (default .run/kafka)
        --models-dir  one loopserve.requests.<model> topic per model package found (default models)
        --partitions  partitions per topic (default 4)
        --clean       delete the data dir first
      """;

  /**
   * Parses command-line flags over the defaults.
   *
   * @throws IllegalArgumentException on an unknown flag or a bad value
   */
  public static LocalKafkaSettings parse(String... args) {
    int port = DEFAULT_PORT;
    Path dataDir = Path.of(".run", "kafka");
    Path modelsDir = Path.of("models");
    int partitions = 4;
    boolean clean = false;
    List<String> rest = new ArrayList<>(List.of(args));
    while (!rest.isEmpty()) {
      String flag = rest.remove(0);
      switch (flag) {
        case "--port" -> port = Integer.parseInt(value(flag, rest));
        case "--data-dir" -> dataDir = Path.of(value(flag, rest));
        case "--models-dir" -> modelsDir = Path.of(value(flag, rest));
        case "--partitions" -> partitions = Integer.parseInt(value(flag, rest));
        case "--clean" -> clean = true;
        default -> throw new IllegalArgumentException("unknown flag " + flag);
      }
    }
    return new LocalKafkaSettings(port, dataDir, modelsDir, partitions, clean);
  }

  private static String value(String flag, List<String> rest) {
    if (rest.isEmpty()) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return rest.remove(0);
  }
}
