package dev.loopserve.systemtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Prints (a) the rate of {@code POST /v1/prompts} this machine sustains against the real gateway
 * and the real local broker, with latency percentiles per submission, and (b) how long a generated
 * token takes from the worker to an SSE client. Run by hand, never by the build (README
 * "Benchmarks"):
 *
 * <pre>
 * mvn -o -q package -DskipTests -pl local-kafka,gateway,scheduler-service,inference-service
 * mvn -o -q -pl systemtest test-compile exec:java
 * mvn -o -q -pl systemtest test-compile exec:java -Dexec.args="--part stream --stream-clients 1"
 * </pre>
 *
 * <p>(a) runs the broker and the gateway only: without the scheduler and the inference service the
 * prompts stay queued, so the figures are the gateway's admission path (validation, tokenizing,
 * publishing with acks=all, the view) and not the model's speed. (b) runs everything on the shipped
 * model. Both start from an empty broker.
 */
public final class GatewayBenchmark {

  private static final String MODEL = "loop-demo";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private GatewayBenchmark() {}

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    System.out.printf(
        Locale.ROOT,
        "%s | %d cores | java %s | load average %s | gateway args %s %s%n",
        Instant.now(),
        Runtime.getRuntime().availableProcessors(),
        Runtime.version(),
        loadAverage(),
        o.gatewayJvmArgs,
        o.gatewayArgs);
    if (o.submit) {
      submissions(http, o);
    }
    if (o.stream) {
      tokenStreams(http, o);
    }
  }

  private static void submissions(HttpClient http, Options o) throws Exception {
    try (LoopserveSuite suite =
        LoopserveSuite.start(
            http, new LoopserveSuite.Options("bench", false, o.gatewayArgs, o.gatewayJvmArgs))) {
      List<String> bodies = submissionBodies(suite.models);
      CpuUse.Meter meter = new CpuUse.Meter(suite.processes());
      SubmitLoad load = new SubmitLoad(http, suite.gatewayUrl(), bodies, meter);
      Duration leadIn = Duration.ofSeconds(3);
      Duration window = Duration.ofSeconds(o.seconds);
      int most = o.clients.stream().mapToInt(Integer::intValue).max().orElse(16);
      System.out.printf(
          Locale.ROOT,
          "%n(a) POST /v1/prompts against kafka + gateway (no workers; prompts stay queued)%n"
              + "    warm-up %d s at %d clients, then per load %s s lead-in and %d s measured%n",
          o.warmUpSeconds,
          most,
          leadIn.toSeconds(),
          o.seconds);
      load.closedLoop(most, Duration.ZERO, Duration.ofSeconds(o.warmUpSeconds));

      System.out.println(
          String.format(
              Locale.ROOT,
              "  %-24s %9s %8s %8s %8s %8s %8s  %-14s %s",
              "load",
              "accepted/s",
              "p50 ms",
              "p90 ms",
              "p99 ms",
              "p999 ms",
              "max ms",
              "not accepted",
              "CPU: cores used (µs per accepted) | gateway GC, JIT in lead-in + window"));
      // Fixed rates first, lightest first, so a saturating run cannot leave a backlog behind.
      for (int rate : o.rates) {
        gcSince(suite);
        printed(load.openLoop(rate, o.connections, leadIn, window, o.maxBacklog), suite);
        System.out.print(producerStats(http, suite));
      }
      for (int clients : o.clients) {
        gcSince(suite);
        printed(load.closedLoop(clients, leadIn, window), suite);
        System.out.print(producerStats(http, suite));
      }
      System.out.printf(Locale.ROOT, "  load average after: %s%n", loadAverage());
    }
  }

  private static void printed(SubmitLoad.Run run, LoopserveSuite suite) {
    Histogram h = run.latencyMicros();
    StringBuilder cpu = new StringBuilder();
    for (String name : List.of("gateway", "kafka", CpuUse.LOAD_GENERATOR, CpuUse.MACHINE)) {
      if (run.cpu().byProcess().containsKey(name)) {
        cpu.append(
            String.format(
                Locale.ROOT,
                "%s %.2f (%.0f) ",
                name.equals(CpuUse.LOAD_GENERATOR) ? "loadgen" : name,
                run.cpu().cores(name),
                run.cpu().microsPer(name, run.accepted())));
      }
    }
    System.out.println(
        String.format(
            Locale.ROOT,
            "  %-24s %9.0f %8s %8s %8s %8s %8s  %-14s %s| %s",
            run.load(),
            run.acceptedPerSecond(),
            ms(h.getValueAtPercentile(50)),
            ms(h.getValueAtPercentile(90)),
            ms(h.getValueAtPercentile(99)),
            ms(h.getValueAtPercentile(99.9)),
            ms(h.getMaxValue()),
            run.notAccepted() == 0
                ? "0"
                : run.notAccepted() + " " + run.outcomes() + " unsent " + run.notSent(),
            cpu,
            gcSince(suite)));
  }

  /**
   * The gateway producer's own view (windowed averages over its last 30 s or so), to tell broker
   * round trips from the gateway's work.
   */
  private static String producerStats(HttpClient http, LoopserveSuite suite) {
    return String.format(
        Locale.ROOT,
        "    gateway producer: %s records per produce request, produce request latency %s ms,"
            + " record queue time %s ms%n",
        gatewayMetric(http, suite, "kafka.producer.records.per.request.avg", "VALUE"),
        gatewayMetric(http, suite, "kafka.producer.request.latency.avg", "VALUE"),
        gatewayMetric(http, suite, "kafka.producer.record.queue.time.avg", "VALUE"));
  }

  private static void tokenStreams(HttpClient http, Options o) throws Exception {
    try (LoopserveSuite suite =
        LoopserveSuite.start(
            http, new LoopserveSuite.Options("bench", true, o.gatewayArgs, o.gatewayJvmArgs))) {
      List<String> bodies = streamBodies(suite.models, o);
      TokenStreamLatency probe = new TokenStreamLatency(http, suite.gatewayUrl(), bodies);
      CpuUse.Meter meter = new CpuUse.Meter(suite.processes());
      System.out.printf(
          Locale.ROOT,
          "%n(b) SSE token events, all services on %s: r=%d, max_tokens=%d, temperature %.1f"
              + " (so answers run past the one-digit reference completions)%n"
              + "    received − produced_at per token (produced_at is floored to the ms: reads"
              + " 0–1 ms high)%n",
          MODEL,
          o.streamR,
          o.streamMaxTokens,
          o.streamTemperature);
      probe.run(Math.max(1, o.streamClients.get(0)), 10, 0);
      System.out.println(
          String.format(
              Locale.ROOT,
              "  %-16s %7s %7s %9s %8s %8s %8s | %-22s | %-22s | %s",
              "clients",
              "prompts",
              "tokens",
              "tokens/s",
              "p50 ms",
              "p99 ms",
              "max ms",
              "gap received p50/p99",
              "gap produced p50/p99",
              "replayed, outcomes"));
      for (int clients : o.streamClients) {
        CpuUse.Snapshot before = meter.snapshot();
        TokenStreamLatency.Run run = probe.run(clients, o.streamPrompts, clients);
        CpuUse cpu = meter.since(before);
        Histogram lag = run.lagMicros();
        System.out.println(
            String.format(
                Locale.ROOT,
                "  %-16d %7d %7d %9.1f %8s %8s %8s | %9s / %-10s | %9d / %-10d | %d, %s",
                clients,
                run.prompts(),
                lag.getTotalCount(),
                lag.getTotalCount() / (run.elapsed().toNanos() / 1e9),
                ms(lag.getValueAtPercentile(50)),
                ms(lag.getValueAtPercentile(99)),
                ms(lag.getMaxValue()),
                ms(run.receivedGapMicros().getValueAtPercentile(50)),
                ms(run.receivedGapMicros().getValueAtPercentile(99)),
                run.producedGapMillis().getValueAtPercentile(50),
                run.producedGapMillis().getValueAtPercentile(99),
                run.replayed(),
                run.outcomes()));
        StringBuilder used = new StringBuilder("    CPU, cores:");
        cpu.byProcess()
            .keySet()
            .forEach(
                name -> used.append(String.format(Locale.ROOT, " %s %.2f", name, cpu.cores(name))));
        System.out.println(used);
      }
      System.out.printf(Locale.ROOT, "  load average after: %s%n", loadAverage());
    }
  }

  /** The shipped model's reference prompts at their reference depths, as submissions. */
  private static List<String> submissionBodies(Path models) throws IOException {
    List<String> bodies = new ArrayList<>();
    for (JsonNode c : referenceCases(models)) {
      ObjectNode body = JSON.createObjectNode();
      body.put("model", MODEL);
      body.put("prompt", c.get("prompt").asString());
      body.put("max_tokens", c.get("max_tokens").asInt());
      body.putObject("recurrence")
          .put("min_steps", c.get("r").asInt())
          .put("max_steps", c.get("r").asInt());
      bodies.add(JSON.writeValueAsString(body));
    }
    return bodies;
  }

  /**
   * The reference prompts with sampling hot enough that end-of-sequence rarely comes first, so a
   * stream carries several tokens and the gap between them can be seen.
   */
  private static List<String> streamBodies(Path models, Options o) throws IOException {
    List<String> bodies = new ArrayList<>();
    long seed = 1;
    for (JsonNode c : referenceCases(models)) {
      ObjectNode body = JSON.createObjectNode();
      body.put("model", MODEL);
      body.put("prompt", c.get("prompt").asString());
      body.put("max_tokens", o.streamMaxTokens);
      body.put("temperature", o.streamTemperature);
      body.put("seed", seed++);
      body.putObject("recurrence").put("min_steps", o.streamR).put("max_steps", o.streamR);
      bodies.add(JSON.writeValueAsString(body));
    }
    return bodies;
  }

  private static List<JsonNode> referenceCases(Path models) throws IOException {
    JsonNode reference = JSON.readTree(Files.readString(models.resolve(MODEL + "/reference.json")));
    List<JsonNode> cases = new ArrayList<>();
    reference.get("cases").forEach(cases::add);
    return cases;
  }

  private static double lastGcCount;
  private static double lastGcSeconds;
  private static double lastJitMillis;

  /**
   * The gateway's GC pauses and JIT compile time since the previous call (first call: since start).
   * Compiling is CPU the gateway spends besides serving, and on two cores it goes on for minutes
   * whenever the load changes shape.
   */
  private static String gcSince(LoopserveSuite suite) {
    HttpClient http = HttpClient.newHttpClient();
    double count = number(gatewayMetric(http, suite, "jvm.gc.pause", "COUNT"));
    double seconds = number(gatewayMetric(http, suite, "jvm.gc.pause", "TOTAL_TIME"));
    double jit = number(gatewayMetric(http, suite, "jvm.compilation.time", "COUNT"));
    String text =
        String.format(
            Locale.ROOT,
            "%.0f pauses, %.0f ms; JIT %.0f ms",
            count - lastGcCount,
            (seconds - lastGcSeconds) * 1000,
            jit - lastJitMillis);
    lastGcCount = count;
    lastGcSeconds = seconds;
    lastJitMillis = jit;
    return text;
  }

  /** A statistic of a gateway actuator metric, or "n/a". */
  private static String gatewayMetric(
      HttpClient http, LoopserveSuite suite, String name, String statistic) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + suite.gatewayManagementPort
                              + "/actuator/metrics/"
                              + name))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        for (JsonNode m : JSON.readTree(response.body()).path("measurements")) {
          if (statistic.equals(m.path("statistic").asString())) {
            return String.format(Locale.ROOT, "%.6f", m.path("value").asDouble())
                .replaceAll("\\.?0+$", "");
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // reported as n/a
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "n/a";
  }

  private static double number(String metric) {
    try {
      return Double.parseDouble(metric);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static String ms(long micros) {
    return String.format(Locale.ROOT, "%.2f", micros / 1000.0);
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  /** Command-line options; see {@link #USAGE}. */
  private static final class Options {

    static final String USAGE =
        "options: --part submit|stream|all (all) --seconds N (20) --warm-up N (90)"
            + " --clients 16,64 --rates 100,500,1000 --connections 64 --max-backlog 10000"
            + " --stream-clients 1,8 --stream-prompts 120 --stream-r 8 --stream-max-tokens 16"
            + " --stream-temperature 10 --gateway-arg --some.spring.property=value (repeatable)"
            + " --gateway-jvm-arg -XX:SomeOption (repeatable)";

    boolean submit = true;
    boolean stream = true;
    int seconds = 20;
    // On two shared cores the gateway's JIT needs over a minute of load to settle: after 30 s a
    // submission still cost it two to seven times the CPU it costs once warm.
    int warmUpSeconds = 90;
    List<Integer> clients = List.of(16, 64);
    List<Integer> rates = List.of(100, 500, 1000);
    int connections = 64;
    int maxBacklog = 10_000;
    List<Integer> streamClients = List.of(1, 8);
    int streamPrompts = 120;
    int streamR = 8;
    int streamMaxTokens = 16;
    double streamTemperature = 10;
    List<String> gatewayArgs = new ArrayList<>();
    List<String> gatewayJvmArgs = new ArrayList<>();

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        if (value == null) {
          throw new IllegalArgumentException(args[i] + " needs a value; " + USAGE);
        }
        switch (args[i]) {
          case "--part" -> {
            o.submit = !value.equals("stream");
            o.stream = !value.equals("submit");
          }
          case "--seconds" -> o.seconds = Integer.parseInt(value);
          case "--warm-up" -> o.warmUpSeconds = Integer.parseInt(value);
          case "--clients" -> o.clients = ints(value);
          case "--rates" -> o.rates = ints(value);
          case "--connections" -> o.connections = Integer.parseInt(value);
          case "--max-backlog" -> o.maxBacklog = Integer.parseInt(value);
          case "--stream-clients" -> o.streamClients = ints(value);
          case "--stream-prompts" -> o.streamPrompts = Integer.parseInt(value);
          case "--stream-r" -> o.streamR = Integer.parseInt(value);
          case "--stream-max-tokens" -> o.streamMaxTokens = Integer.parseInt(value);
          case "--stream-temperature" -> o.streamTemperature = Double.parseDouble(value);
          case "--gateway-arg" -> o.gatewayArgs.add(value);
          case "--gateway-jvm-arg" -> o.gatewayJvmArgs.add(value);
          default -> throw new IllegalArgumentException("unknown option " + args[i] + "; " + USAGE);
        }
        i++;
      }
      return o;
    }

    private static List<Integer> ints(String csv) {
      return csv.isBlank()
          ? List.of()
          : Arrays.stream(csv.split(",")).map(String::trim).map(Integer::valueOf).toList();
    }
  }
}
