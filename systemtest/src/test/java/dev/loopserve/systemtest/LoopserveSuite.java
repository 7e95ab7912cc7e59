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

  /**
   * What to start.
   *
   * @param workDir folder under {@code systemtest/target} for logs and broker data; emptied first
   * @param workers whether to start the scheduler and the inference service; without them prompts
   *     are accepted and stay queued
   * @param gatewayArgs extra command-line arguments for the gateway (Spring properties)
   * @param gatewayJvmArgs extra JVM options for the gateway (a profiler, say)
   */
  record Options(
      String workDir, boolean workers, List<String> gatewayArgs, List<String> gatewayJvmArgs) {

    Options {
      gatewayArgs = List.copyOf(gatewayArgs);
      gatewayJvmArgs = List.copyOf(gatewayJvmArgs);
    }

    static Options everything() {
      return new Options("suite", true, List.of(), List.of());
    }
  }

  private final List<ServiceProcess> processes = new ArrayList<>();
  final Path root;
  final Path models;
  final int gatewayPort;
  final int gatewayManagementPort;

  private LoopserveSuite(Path root, int gatewayPort, int gatewayManagementPort) {
    this.root = root;
    this.models = root.resolve("models");
    this.gatewayPort = gatewayPort;
    this.gatewayManagementPort = gatewayManagementPort;
  }

  String gatewayUrl() {
    return "http://127.0.0.1:" + gatewayPort;
  }

  static LoopserveSuite start(HttpClient http) throws Exception {
    return start(http, Options.everything());
  }

  static LoopserveSuite start(HttpClient http, Options options) throws Exception {
    Path root = Path.of(System.getProperty("loopserve.root", "..")).toAbsolutePath().normalize();
    String version = System.getProperty("loopserve.version", "0.1.0-SNAPSHOT");
    Path work = root.resolve("systemtest/target").resolve(options.workDir());
    deleteRecursively(work);
    Path logs = work.resolve("logs");

    int kafkaPort = freePortPair();
    LoopserveSuite suite = new LoopserveSuite(root, freePort(), freePort());
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

      Duration startup = Duration.ofMinutes(4);
      // All start at once and are awaited afterwards: start-up is mostly each JVM warming up.
      List<Startup> awaits = new ArrayList<>();
      if (options.workers()) {
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
        awaits.add(() -> scheduler.awaitHealthy(http, health(schedulerMgmt), startup));
        awaits.add(() -> inference.awaitHealthy(http, health(inferencePort), startup));
      }
      List<String> gatewayArgs = new ArrayList<>();
      gatewayArgs.add(bootstrap);
      gatewayArgs.add("--server.port=" + suite.gatewayPort);
      gatewayArgs.add("--management.server.port=" + suite.gatewayManagementPort);
      gatewayArgs.add("--loopserve.gateway.models-dir=" + suite.models);
      gatewayArgs.addAll(options.gatewayArgs());
      ServiceProcess gateway =
          suite.add(
              ServiceProcess.start(
                  "gateway",
                  logs,
                  root,
                  ServiceProcess.java(
                      "512m",
                      options.gatewayJvmArgs(),
                      jar(root, "gateway", version),
                      gatewayArgs.toArray(String[]::new))));
      awaits.add(() -> gateway.awaitHealthy(http, health(suite.gatewayManagementPort), startup));
      for (Startup await : awaits) {
        await.await();
      }
      return suite;
    } catch (Exception | Error e) {
      suite.close();
      throw e;
    }
  }

  private interface Startup {
    void await() throws InterruptedException;
  }

  /** The processes started, in order of start. */
  List<ServiceProcess> processes() {
    return List.copyOf(processes);
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
