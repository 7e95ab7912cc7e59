package dev.loopserve.policy.simulation;

import dev.loopserve.policy.ModelProfile;
import dev.loopserve.policy.PolicyConfig;
import dev.loopserve.policy.PriorityClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the policy comparison as Markdown.
 *
 * <pre>
 * java -cp budget-policy/target/classes dev.loopserve.policy.simulation.SimulationMain \
 *     [--model-dir models/loop-demo] [--seed 42]
 * </pre>
 *
 * <p>With {@code --model-dir}, the recurrence range comes from its model.json and the accuracy
 * curve from its eval.json when they exist; otherwise the demo model's configured range (1/8/32)
 * and a placeholder accuracy curve are used, and the output says so.
 */
public final class SimulationMain {

  /** Placeholder r -> accuracy until the trained model's eval.json is available. */
  static final Map<Integer, Double> PLACEHOLDER_ACCURACY =
      Map.of(1, 0.30, 2, 0.45, 4, 0.65, 8, 0.85, 16, 0.92, 32, 0.94);

  private SimulationMain() {}

  public static void main(String[] args) throws IOException {
    Path modelDir = null;
    long seed = 42;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model-dir" -> modelDir = Path.of(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    ModelProfile profile = defaultProfile();
    String profileSource = "demo model config (loopmodel/config.py): r in [1, 32], default 8";
    AccuracyCurve accuracy = AccuracyCurve.of(PLACEHOLDER_ACCURACY);
    String accuracySource =
        "placeholder curve "
            + PLACEHOLDER_ACCURACY.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + ":" + e.getValue())
                .toList();
    if (modelDir != null) {
      Path manifest = modelDir.resolve("model.json");
      if (Files.exists(manifest)) {
        profile = ModelPackage.profile(manifest);
        profileSource =
            manifest
                + " (r in ["
                + profile.recurrence().min()
                + ", "
                + profile.recurrence().max()
                + "], default "
                + profile.recurrence().defaultSteps()
                + ")";
      }
      Path eval = modelDir.resolve("eval.json");
      if (Files.exists(eval)) {
        accuracy = AccuracyCurve.fromEvalJson(eval);
        accuracySource = eval.toString();
      }
    }
    PolicyConfig config = PolicyConfig.builder().build();
    FleetSpec fleet = FleetSpec.loopDemoMeasured();
    Workload workload = Workload.defaults();
    Simulator simulator = new Simulator(fleet, profile, config, accuracy, workload, seed);
    SimulationSuite suite = new SimulationSuite(simulator, profile, config);

    StringBuilder out = new StringBuilder();
    out.append("Model: ").append(profileSource).append(".  \n");
    out.append("Accuracy by r: ").append(accuracySource).append(".  \n");
    out.append(
        String.format(
            Locale.ROOT,
            "Fleet: %d workers x %d slots, t(1)=%.2f ms, t(%d)=%.2f ms (%s), "
                + "%.0f%% step noise, prelude+coda = %.1f steps/token; %d tokens/request; "
                + "capacity at default r = %.0f req/s.  %n",
            fleet.workers(),
            fleet.maxBatch(),
            fleet.stepTimes().secondsPerStep(1) * 1e3,
            fleet.maxBatch(),
            fleet.stepTimes().secondsPerStep(fleet.maxBatch()) * 1e3,
            FleetSpec.MEASURED_SOURCE,
            fleet.stepNoise() * 100,
            fleet.overheadStepsPerToken(),
            workload.tokensPerRequest(),
            suite.capacityAtDefault()));
    out.append("Targets: ");
    for (PriorityClass c :
        List.of(PriorityClass.INTERACTIVE, PriorityClass.STANDARD, PriorityClass.BATCH)) {
      out.append(
          String.format(
              Locale.ROOT,
              "%s %d ms (%.0f%% of traffic)%s",
              c.wireName(),
              config.target(c).latencyTarget().toMillis(),
              workload.mix().get(c) * 100,
              c == PriorityClass.BATCH ? "" : ", "));
    }
    out.append("; seed ").append(seed).append(".\n");
    for (Trace trace : suite.traces()) {
      out.append('\n').append(describe(trace, suite.capacityAtDefault())).append("\n\n");
      out.append(
          "| policy | met target | interactive | standard | batch | p50 ms | p95 ms | p99 ms "
              + "| mean r | expected accuracy | degraded | replicas wanted (median / peak) |\n");
      out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (RunReport r : suite.compare(trace)) {
        out.append(
            String.format(
                Locale.ROOT,
                "| %s | %.2f%% | %.2f%% | %.2f%% | %.2f%% | %.0f | %.0f | %.0f | %.2f | %.3f | %.1f%% | %d / %d |%n",
                r.policy(),
                r.metShare() * 100,
                r.metShareByClass().get(PriorityClass.INTERACTIVE) * 100,
                r.metShareByClass().get(PriorityClass.STANDARD) * 100,
                r.metShareByClass().get(PriorityClass.BATCH) * 100,
                r.p50Millis(),
                r.p95Millis(),
                r.p99Millis(),
                r.meanSteps(),
                r.expectedAccuracy(),
                r.degradedShare() * 100,
                r.medianDesiredReplicas(),
                r.peakDesiredReplicas()));
      }
    }
    System.out.print(out);
  }

  static ModelProfile defaultProfile() {
    return ModelProfile.builder("loop-demo").recurrence(1, 8, 32).cost(1.0, 0).build();
  }

  private static String describe(Trace trace, double capacity) {
    StringBuilder s = new StringBuilder("### ").append(trace.name()).append(" (");
    double t = 0;
    for (int i = 0; i < trace.segments().size(); i++) {
      Trace.Segment seg = trace.segments().get(i);
      if (i > 0) {
        s.append(", ");
      }
      if (i >= 6) {
        s.append("... ").append(String.format(Locale.ROOT, "%.0f s in all", trace.seconds()));
        break;
      }
      s.append(
          String.format(
              Locale.ROOT,
              "%.0f-%.0f s at %.1fx = %.0f req/s",
              t,
              t + seg.seconds(),
              seg.rate() / capacity,
              seg.rate()));
      t += seg.seconds();
    }
    return s.append(')').toString();
  }
}
