package dev.loopserve.systemtest;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The whole suite on this machine: the local KRaft broker and the three services, each from its
 * executable jar as a separate process, on free loopback ports.
 */
final class LoopserveSuite implements AutoCloseable {

  private final List<ServiceProcess> processes = new ArrayList<>();
  final Path root;
  final Path models;
  final int gatewayPort;

  private LoopserveSuite(Path root, int gatewayPort) {
    this.root = root;
    this.models = root.resolve("models");
    this.gatewayPort = gatewayPort;
  }

  String gatewayUrl() {
    return "http://127.0.0.1:" + gatewayPort;
  }

  static LoopserveSuite start(HttpClient http) throws Exception {
    Path root = Path.of(System.getProperty("loopserve.root", "..")).toAbsolutePath().normalize();
    String version = System.getProperty("loopserve.version", "0.1.0-SNAPSHOT");
    Path work = root.resolve("systemtest/target/suite");
    deleteRecursively(work);
    Path logs = work.resolve("logs");

    int kafkaPort = freePortPair();
    int gatewayPort = freePort();
    LoopserveSuite suite = new LoopserveSuite(root, gatewayPort);
    try {
      String bootstrap = "--spring.kafka.bootstrap-servers=127.0.0.1:" + kafkaPort;
      ServiceProcess kafka =
          suite.add(
              ServiceProcess.start(
                  "kafka",
                  logs,
                  root,
                  ServiceProcess.java(
                      "768m",
                      jar(root, "local-kafka", version),
                      "--port",
                      Integer.toString(kafkaPort),
                      "--data-dir",
                      work.resolve("kafka").toString(),
                      "--models-dir",
                      suite.models.toString())));
      kafka.await("READY", Duration.ofMinutes(2), () -> kafka.logContains("READY 127.0.0.1:"));

      int schedulerMgmt = freePort();
      ServiceProcess scheduler =
          suite.add(
              ServiceProcess.start(
                  "scheduler-service",
                  logs,
                  root,
                  ServiceProcess.java(
                      "512m",
                      jar(root, "scheduler-service", version),
                      bootstrap,
                      "--server.port=" + freePort(),
                      "--management.server.port=" + schedulerMgmt,
                      "--loopserve.scheduler.models-dir=" + suite.models)));
      int inferencePort = freePort();
      ServiceProcess inference =
          suite.add(
              ServiceProcess.start(
                  "inference-service",
                  logs,
                  root,
                  ServiceProcess.java(
                      "1g",
                      jar(root, "inference-service", version),
                      bootstrap,
                      "--server.port=" + inferencePort,
                      "--loopserve.inference.models-dir=" + suite.models)));
      int gatewayMgmt = freePort();
      ServiceProcess gateway =
          suite.add(
              ServiceProcess.start(
                  "gateway",
                  logs,
                  root,
                  ServiceProcess.java(
                      "512m",
                      jar(root, "gateway", version),
                      bootstrap,
                      "--server.port=" + gatewayPort,
                      "--management.server.port=" + gatewayMgmt,
                      "--loopserve.gateway.models-dir=" + suite.models)));

      Duration startup = Duration.ofMinutes(4);
      scheduler.awaitHealthy(http, health(schedulerMgmt), startup);
      inference.awaitHealthy(http, health(inferencePort), startup);
      gateway.awaitHealthy(http, health(gatewayMgmt), startup);
      return suite;
    } catch (Exception | Error e) {
      suite.close();
      throw e;
    }
  }

  /** The last lines of every log, for a failure message. */
  String tails(int lines) {
    StringBuilder b = new StringBuilder();
    processes.forEach(p -> b.append(p.tail(lines)).append('\n'));
    return b.toString();
  }

  private ServiceProcess add(ServiceProcess p) {
    processes.add(p);
    return p;
  }

  private static String health(int port) {
    return "http://127.0.0.1:" + port + "/actuator/health/readiness";
  }

  private static Path jar(Path root, String module, String version) {
    Path jar = root.resolve(module).resolve("target").resolve(module + "-" + version + ".jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing; build with mvn package first");
    }
    return jar;
  }

  /** Stops the services in reverse order of start, Kafka last. */
  @Override
  public void close() throws InterruptedException {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
    processes.clear();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static int freePortPair() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port = freePort();
      try (ServerSocket next = new ServerSocket(port + 1)) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free pair of ports");
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
