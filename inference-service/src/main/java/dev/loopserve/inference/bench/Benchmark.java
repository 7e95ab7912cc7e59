package dev.loopserve.inference.bench;

import ai.onnxruntime.OrtEnvironment;
import dev.loopserve.inference.model.LoadedModel;
import dev.loopserve.inference.model.ModelManifest.StateInit;
import dev.loopserve.inference.model.ModelPackageLoader;
import dev.loopserve.inference.model.OrtOptions;
import dev.loopserve.inference.runtime.BatchEngine;
import dev.loopserve.inference.runtime.GenerationRequest;
import dev.loopserve.inference.runtime.GenerationResult;
import dev.loopserve.inference.runtime.RecurrencePlan;
import dev.loopserve.inference.runtime.SamplingPlan;
import dev.loopserve.inference.runtime.Ticket;
import dev.loopserve.inference.runtime.TokenListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prints throughput of (a) the batched runtime at several concurrencies and (b) a plain
 * one-request-at-a-time loop over the same sessions, on the same prompts with the same threads.
 * Greedy, zeros start, fixed r, no adaptive exit, so both do exactly the same arithmetic per
 * request and differ only in how it is scheduled.
 *
 * <pre>
 * mvn -q -pl inference-service compile exec:java \
 *   -Dexec.mainClass=dev.loopserve.inference.bench.Benchmark \
 *   -Dexec.args="--threads 2 --r 8 --requests 64 --concurrency 1,4,16,64"
 * </pre>
 *
 * <p>(c) PyTorch: the workload (prompts, r, max tokens, threads) is written to {@code --workload}
 * (default {@code target/bench-workload.json}) for the model/ side's benchmark script to replay;
 * pass its output with {@code --pytorch FILE} (JSON with {@code tokens_per_s} and {@code
 * core_steps_per_s}) to print it in the same table.
 *
 * <p>Last, the adaptive-exit report ({@link AdaptiveExitReport}): the same chains at a fixed budget
 * ({@code --exit-budget}, default 32, the trainer's evaluation budget; 0 skips it) and with the
 * manifest's exit thresholds under it.
 *
 * <p>Requests stop at {@code <eos>} by default: the demo model answers in one token, so a request
 * is a prompt prefill and two decoding steps and the work is mostly prefill. {@code --ignore-eos}
 * makes every request generate exactly {@code --max-tokens} tokens instead (vLLM's throughput
 * benchmark does the same), a decode-heavy load; (b) and (c) then do the same.
 *
 * <p>Runs should be long enough that the closed loop's ramp-down (the last requests of a run, when
 * fewer than {@code concurrency} are left) is a small part of each: hence 256 requests by default.
 */
public final class Benchmark {

  private Benchmark() {}

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    LoadedModel model =
        new ModelPackageLoader(env, new OrtOptions(o.threads, o.spinning)).load(o.modelDir);
    List<Chain> chains = chains(model, o.requests, o.seed);
    List<long[]> prompts = chains.stream().map(Chain::ids).toList();
    writeWorkload(o, model, prompts);
    System.out.printf(
        Locale.ROOT,
        "model %s %s | r=%d max_tokens=%d%s | %d requests per run, median of %d rounds | runtime: %d ORT thread(s) per call, %d calls in parallel | spinning %s | max %d positions per call | %d cores%n",
        model.name(),
        model.manifest().version(),
        o.r,
        o.maxTokens,
        o.ignoreEos ? " (eos ignored)" : "",
        o.requests,
        o.rounds,
        o.threads,
        o.parallelism,
        o.spinning,
        o.maxCallPositions,
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        Locale.ROOT,
        "%-28s %10s %13s %8s %13s%n",
        "run",
        "tokens/s",
        "core steps/s",
        "seconds",
        "tokens/CPU-s");

    // Rounds interleave every configuration and report medians, so load from other processes on
    // a shared machine hits all configurations alike instead of skewing whichever ran during it.
    // The plain loop gets the same thread budget as the runtime in its most natural form too:
    // one session whose calls use all `parallelism` threads. The better of the two is (b).
    PlainLoop plain = new PlainLoop(env, model);
    LoadedModel wideModel =
        new ModelPackageLoader(env, new OrtOptions(o.parallelism, o.spinning)).load(o.modelDir);
    PlainLoop wide = new PlainLoop(env, wideModel);
    runPlain(plain, prompts.subList(0, Math.min(8, prompts.size())), o); // warm-up
    runPlain(wide, prompts.subList(0, Math.min(8, prompts.size())), o);
    List<BatchEngine> engines = new ArrayList<>();
    List<io.micrometer.core.instrument.MeterRegistry> registries = new ArrayList<>();
    for (int c : o.concurrency) {
      var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
      registries.add(registry);
      BatchEngine engine =
          BatchEngine.builder(env, model)
              .maxBatch(c)
              .maxCallPositions(o.maxCallPositions)
              .parallelism(o.parallelism)
              .metrics(new dev.loopserve.inference.runtime.EngineMetrics(registry, model.name()))
              .build();
      runEngine(engine, prompts.subList(0, Math.min(2 * c, prompts.size())), c, o); // warm-up
      engines.add(engine);
    }
    List<List<Figures>> plainRuns = new ArrayList<>();
    plainRuns.add(new ArrayList<>());
    plainRuns.add(new ArrayList<>());
    List<List<Figures>> engineRuns = new ArrayList<>();
    for (int i = 0; i < o.concurrency.length; i++) {
      engineRuns.add(new ArrayList<>());
    }
    for (int round = 0; round < o.rounds; round++) {
      plainRuns.get(0).add(runPlain(plain, prompts, o));
      plainRuns.get(1).add(runPlain(wide, prompts, o));
      for (int i = 0; i < o.concurrency.length; i++) {
        engineRuns.get(i).add(runEngine(engines.get(i), prompts, o.concurrency[i], o));
      }
    }
    Figures narrowPlain = median(plainRuns.get(0));
    Figures widePlain = median(plainRuns.get(1));
    Figures baseline =
        narrowPlain.tokensPerSecond >= widePlain.tokensPerSecond ? narrowPlain : widePlain;
    print("(b) plain, " + o.threads + " ORT thread(s)", narrowPlain, null);
    print("(b) plain, " + o.parallelism + " ORT thread(s)", widePlain, null);
    System.out.println("    ratios below are against the faster (b)");
    if (o.verbose) {
      System.out.printf(
          Locale.ROOT,
          "      plain core calls %d mean %.3f ms (1 thread), %d mean %.3f ms (wide)%n",
          plain.coreCalls,
          plain.coreNanos / 1e6 / Math.max(1, plain.coreCalls),
          wide.coreCalls,
          wide.coreNanos / 1e6 / Math.max(1, wide.coreCalls));
    }
    for (int i = 0; i < o.concurrency.length; i++) {
      print("(a) runtime, concurrency " + o.concurrency[i], median(engineRuns.get(i)), baseline);
      if (o.verbose) {
        var r = registries.get(i);
        for (String graph : List.of("prelude", "core", "coda")) {
          var t = r.get("loopserve.step").tag("graph", graph).timer();
          System.out.printf(
              Locale.ROOT,
              "      %-8s calls %7d  total %7.2f s  mean %6.3f ms%n",
              graph,
              t.count(),
              t.totalTime(java.util.concurrent.TimeUnit.SECONDS),
              t.mean(java.util.concurrent.TimeUnit.MILLISECONDS));
        }
        System.out.printf(
            Locale.ROOT,
            "      rows per step %.1f%n",
            r.get("loopserve.batch.occupancy").summary().mean());
      }
      engines.get(i).close();
    }
    if (o.pytorch != null) {
      String json = Files.readString(o.pytorch);
      print(
          "(c) PyTorch reference",
          new Figures(
              number(json, "tokens_per_s"),
              number(json, "core_steps_per_s"),
              Double.NaN,
              Double.NaN),
          baseline);
    } else {
      System.out.println(
          "(c) PyTorch reference: replay "
              + o.workload
              + " with the model/ benchmark, then pass --pytorch RESULT.json");
    }
    if (o.exitBudget > 0) {
      BatchEngine engine =
          BatchEngine.builder(env, model)
              .maxBatch(16)
              .maxCallPositions(o.maxCallPositions)
              .parallelism(o.parallelism)
              .build();
      AdaptiveExitReport.print(engine, model, chains, o.exitBudget);
      engine.shutdown(1_000);
    }
    model.close();
    wideModel.close();
    System.exit(0);
  }

  /**
   * @param tokensPerCpuSecond tokens per second of CPU time used by this process: on a machine
   *     shared with other work, wall-clock rates swing with their load, this much less
   */
  record Figures(
      double tokensPerSecond,
      double coreStepsPerSecond,
      double seconds,
      double tokensPerCpuSecond) {}

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The run with the median token rate. */
  private static Figures median(List<Figures> runs) {
    List<Figures> sorted = new ArrayList<>(runs);
    sorted.sort((a, b) -> Double.compare(a.tokensPerSecond, b.tokensPerSecond));
    return sorted.get(sorted.size() / 2);
  }

  private static Figures runPlain(PlainLoop plain, List<long[]> prompts, Options o)
      throws Exception {
    long start = System.nanoTime();
    long cpu = cpuNanos();
    long tokens = 0;
    for (long[] prompt : prompts) {
      tokens += plain.generate(prompt, o.r, o.maxTokens, o.ignoreEos);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuSeconds = (cpuNanos() - cpu) / 1e9;
    return new Figures(tokens / seconds, tokens * o.r / seconds, seconds, tokens / cpuSeconds);
  }

  /** Closed loop: {@code concurrency} requests in flight until all prompts are done. */
  private static Figures runEngine(
      BatchEngine engine, List<long[]> prompts, int concurrency, Options o) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicLong tokens = new AtomicLong();
    AtomicLong steps = new AtomicLong();
    CompletableFuture<Void> all = new CompletableFuture<>();
    AtomicInteger remaining = new AtomicInteger(prompts.size());
    long start = System.nanoTime();
    long cpu = cpuNanos();
    Runnable[] submitNext = new Runnable[1];
    submitNext[0] =
        () -> {
          int i = next.getAndIncrement();
          if (i >= prompts.size()) {
            return;
          }
          Ticket t = engine.submit(request(i, prompts.get(i), o), TokenListener.NONE);
          t.result()
              .thenAccept(
                  (GenerationResult r) -> {
                    tokens.addAndGet(r.stepsPerToken().length);
                    steps.addAndGet(Arrays.stream(r.stepsPerToken()).sum());
                    if (remaining.decrementAndGet() == 0) {
                      all.complete(null);
                    } else {
                      submitNext[0].run();
                    }
                  });
        };
    for (int c = 0; c < concurrency; c++) {
      submitNext[0].run();
    }
    all.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuSeconds = (cpuNanos() - cpu) / 1e9;
    return new Figures(
        tokens.get() / seconds, steps.get() / seconds, seconds, tokens.get() / cpuSeconds);
  }

  private static GenerationRequest request(int i, long[] prompt, Options o) {
    return new GenerationRequest(
        "bench-" + i,
        prompt,
        o.maxTokens,
        RecurrencePlan.fixed(o.r),
        o.ignoreEos ? SamplingPlan.GREEDY.ignoringEos() : SamplingPlan.GREEDY,
        new StateInit(StateInit.ZEROS, 0),
        0);
  }

  private static void print(String name, Figures f, Figures baseline) {
    String ratio =
        baseline == null
            ? ""
            : String.format(
                Locale.ROOT,
                "  x%.2f vs (b) wall, x%.2f per CPU-s",
                f.tokensPerSecond / baseline.tokensPerSecond,
                f.tokensPerCpuSecond / baseline.tokensPerCpuSecond);
    System.out.printf(
        Locale.ROOT,
        "%-28s %10.1f %13.1f %8.2f %13.1f%s%n",
        name,
        f.tokensPerSecond,
        f.coreStepsPerSecond,
        f.seconds,
        f.tokensPerCpuSecond,
        ratio);
  }

  /** A prompt and the digit the chain evaluates to. */
  record Chain(long[] ids, String answer) {}

  /**
   * Multi-hop variable chains like the demo task, {@code a=3;b=a+4;c=b*2;c?}, each with its answer
   * (every statement applies its operation to the previous value, mod 10).
   */
  static List<Chain> chains(LoadedModel model, int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    String ops = "+-*";
    List<Chain> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int hops = 1 + random.nextInt(6);
      StringBuilder sb = new StringBuilder();
      char var = (char) ('a' + random.nextInt(20));
      int value = random.nextInt(10);
      sb.append(var).append('=').append(value).append(';');
      for (int h = 1; h < hops; h++) {
        char next = (char) ('a' + random.nextInt(26));
        while (next == var) {
          next = (char) ('a' + random.nextInt(26));
        }
        char op = ops.charAt(random.nextInt(3));
        int digit = random.nextInt(10);
        sb.append(next).append('=').append(var).append(op).append(digit).append(';');
        value =
            switch (op) {
              case '+' -> (value + digit) % 10;
              case '-' -> Math.floorMod(value - digit, 10);
              default -> (value * digit) % 10;
            };
        var = next;
      }
      sb.append(var).append('?');
      out.add(new Chain(model.tokenizer().encode(sb.toString()), Integer.toString(value)));
    }
    return out;
  }

  private static void writeWorkload(Options o, LoadedModel model, List<long[]> prompts)
      throws Exception {
    StringBuilder json = new StringBuilder();
    json.append("{\"model_dir\": \"")
        .append(o.modelDir.toAbsolutePath().toString().replace("\\", "\\\\"))
        .append("\", \"r\": ")
        .append(o.r)
        .append(", \"max_tokens\": ")
        .append(o.maxTokens)
        .append(", \"threads\": ")
        .append(o.threads)
        .append(", \"ignore_eos\": ")
        .append(o.ignoreEos)
        .append(", \"state_init\": \"zeros\", \"decoding\": \"greedy\", \"prompt_ids\": [");
    for (int i = 0; i < prompts.size(); i++) {
      json.append(i == 0 ? "" : ", ").append(Arrays.toString(prompts.get(i)));
    }
    json.append("]}\n");
    Files.createDirectories(o.workload.toAbsolutePath().getParent());
    Files.writeString(o.workload, json);
  }

  private static double number(String json, String field) {
    var m =
        java.util.regex.Pattern.compile("\"" + field + "\"\\s*:\\s*([0-9.eE+-]+)").matcher(json);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static final class Options {
    Path modelDir = Path.of("models/loop-demo");
    int threads = 1;
    boolean spinning = false;
    int maxCallPositions = 512;
    int parallelism = Math.min(2, Runtime.getRuntime().availableProcessors());
    int r = 8;
    int maxTokens = 8;
    int requests = 256;
    long seed = 42;
    int[] concurrency = {1, 4, 16, 64};
    Path workload = Path.of("target/bench-workload.json");
    Path pytorch;
    int rounds = 3;
    int exitBudget = 32;
    boolean verbose;
    boolean ignoreEos;

    static Options parse(String[] args) {
      Options o = new Options();
      if (!Files.isDirectory(o.modelDir) && Files.isDirectory(Path.of("../models/loop-demo"))) {
        o.modelDir = Path.of("../models/loop-demo");
      }
      for (int i = 0; i < args.length; i++) {
        String v = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--model" -> o.modelDir = Path.of(v);
          case "--threads" -> o.threads = Integer.parseInt(v);
          case "--verbose" -> {
            o.verbose = true;
            continue;
          }
          case "--ignore-eos" -> {
            o.ignoreEos = true;
            continue;
          }
          case "--spinning" -> {
            o.spinning = true;
            continue;
          }
          case "--max-call-positions" -> o.maxCallPositions = Integer.parseInt(v);
          case "--parallelism" -> o.parallelism = Integer.parseInt(v);
          case "--r" -> o.r = Integer.parseInt(v);
          case "--max-tokens" -> o.maxTokens = Integer.parseInt(v);
          case "--requests" -> o.requests = Integer.parseInt(v);
          case "--seed" -> o.seed = Long.parseLong(v);
          case "--concurrency" ->
              o.concurrency = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
          case "--workload" -> o.workload = Path.of(v);
          case "--rounds" -> o.rounds = Integer.parseInt(v);
          case "--exit-budget" -> o.exitBudget = Integer.parseInt(v);
          case "--pytorch" -> o.pytorch = Path.of(v);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
        i++;
      }
      return o;
    }
  }
}
