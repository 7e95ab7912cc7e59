package dev.loopserve.systemtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** One part of the suite running as its own OS process, with its output in a log file. */
final class ServiceProcess implements AutoCloseable {

  private final String name;
  private final Path log;
  private final Process process;

  private ServiceProcess(String name, Path log, Process process) {
    this.name = name;
    this.log = log;
    this.process = process;
  }

  static ServiceProcess start(String name, Path logDir, Path workDir, List<String> command)
      throws IOException {
    Files.createDirectories(logDir);
    Path log = logDir.resolve(name + ".log");
    Process p =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    return new ServiceProcess(name, log, p);
  }

  /** The JVM running this test, with settings that let four JVMs share a small machine. */
  static List<String> java(String maxHeap, Path jar, String... args) {
    return java(maxHeap, List.of(), jar, args);
  }

  /**
   * @param jvmArgs further JVM options (a profiler, say), after the defaults so they can override
   */
  static List<String> java(String maxHeap, List<String> jvmArgs, Path jar, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xmx" + maxHeap);
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  String name() {
    return name;
  }

  /** CPU time (user and system, all threads) the process has used so far; zero if unknown. */
  Duration cpuTime() {
    return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** Waits until {@code ready} holds, failing early if the process dies. */
  void await(String what, Duration timeout, BooleanSupplier ready) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited (" + process.exitValue() + ") before " + what + "\n" + tail(60));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name + " not " + what + " after " + timeout + "\n" + tail(60));
      }
      Thread.sleep(500);
    }
  }

  /** Waits for an HTTP 200 from a health URL. */
  void awaitHealthy(HttpClient http, String url, Duration timeout) throws InterruptedException {
    await(
        "ready",
        timeout,
        () -> {
          try {
            return http.send(
                        HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                        HttpResponse.BodyHandlers.discarding())
                    .statusCode()
                == 200;
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        });
  }

  boolean logContains(String text) {
    try {
      return Files.exists(log) && Files.readString(log).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return "---- last lines of "
          + log
          + " ----\n"
          + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGTERM, then SIGKILL if it has not stopped in 30 s. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
