package dev.loopserve.inference.bench;

import dev.loopserve.inference.model.LoadedModel;
import dev.loopserve.inference.model.ModelManifest;
import dev.loopserve.inference.model.ModelManifest.StateInit;
import dev.loopserve.inference.runtime.BatchEngine;
import dev.loopserve.inference.runtime.GenerationRequest;
import dev.loopserve.inference.runtime.GenerationResult;
import dev.loopserve.inference.runtime.RecurrencePlan;
import dev.loopserve.inference.runtime.SamplingPlan;
import dev.loopserve.inference.runtime.TokenListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What adaptive exit at the model's shipped thresholds saves: the same chains run through the
 * batched runtime once with a fixed budget and once with the manifest's exit thresholds under that
 * budget, reporting mean core steps per token, throughput, and accuracy on these chains (their
 * answers are known), next to the accuracy cost the trainer measured on its held-out set ({@code
 * eval.json}).
 */
final class AdaptiveExitReport {

  /** One run's totals. */
  record Outcome(long tokens, long coreSteps, double seconds, int correct, int requests) {
    double stepsPerToken() {
      return (double) coreSteps / tokens;
    }

    double tokensPerSecond() {
      return tokens / seconds;
    }

    double accuracy() {
      return (double) correct / requests;
    }
  }

  /** The answer digit and {@code <eos>}: all a chain needs, so both runs decode the same tokens. */
  private static final int ANSWER_TOKENS = 2;

  private AdaptiveExitReport() {}

  static void print(BatchEngine engine, LoadedModel model, List<Benchmark.Chain> chains, int budget)
      throws Exception {
    ModelManifest.Exit exit = model.manifest().exit();
    if (exit.stateDelta() <= 0 && exit.kl() <= 0) {
      System.out.println("adaptive exit: the manifest ships no thresholds");
      return;
    }
    RecurrencePlan fixed = RecurrencePlan.fixed(budget);
    RecurrencePlan adaptive = new RecurrencePlan(1, budget, exit.stateDelta(), exit.kl(), false);
    run(engine, model, chains.subList(0, Math.min(16, chains.size())), adaptive); // warm-up
    Outcome atBudget = run(engine, model, chains, fixed);
    Outcome withExit = run(engine, model, chains, adaptive);
    System.out.printf(
        Locale.ROOT,
        "adaptive exit at the shipped thresholds (state_delta %s, kl %s), budget r=%d, %d chains:%n",
        exit.stateDelta(),
        exit.kl(),
        budget,
        chains.size());
    System.out.printf(
        Locale.ROOT,
        "  core steps per token %.2f vs %.2f fixed: %.2f saved (%.0f%%); tokens/s %.1f vs %.1f"
            + " (x%.2f)%n",
        withExit.stepsPerToken(),
        atBudget.stepsPerToken(),
        atBudget.stepsPerToken() - withExit.stepsPerToken(),
        100 * (1 - withExit.stepsPerToken() / atBudget.stepsPerToken()),
        withExit.tokensPerSecond(),
        atBudget.tokensPerSecond(),
        withExit.tokensPerSecond() / atBudget.tokensPerSecond());
    System.out.printf(
        Locale.ROOT,
        "  answers right on these chains: %.1f%% with exit vs %.1f%% fixed%n",
        100 * withExit.accuracy(),
        100 * atBudget.accuracy());
    printEvalCost(model.dir().resolve("eval.json"), exit, budget);
  }

  private static Outcome run(
      BatchEngine engine, LoadedModel model, List<Benchmark.Chain> chains, RecurrencePlan plan)
      throws Exception {
    long start = System.nanoTime();
    List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
    for (int i = 0; i < chains.size(); i++) {
      results.add(
          engine
              .submit(
                  new GenerationRequest(
                      "exit-" + i,
                      chains.get(i).ids(),
                      ANSWER_TOKENS,
                      plan,
                      SamplingPlan.GREEDY,
                      new StateInit(StateInit.ZEROS, 0),
                      0),
                  TokenListener.NONE)
              .result());
    }
    long tokens = 0;
    long steps = 0;
    int correct = 0;
    for (int i = 0; i < chains.size(); i++) {
      GenerationResult r = results.get(i).get();
      tokens += r.stepsPerToken().length;
      for (int s : r.stepsPerToken()) {
        steps += s;
      }
      if (r.text().startsWith(chains.get(i).answer())) {
        correct++;
      }
    }
    return new Outcome(tokens, steps, (System.nanoTime() - start) / 1e9, correct, chains.size());
  }

  /** The trainer's held-out accuracy at these thresholds against the fixed budget. */
  private static void printEvalCost(Path evalJson, ModelManifest.Exit exit, int budget)
      throws Exception {
    if (!Files.isRegularFile(evalJson)) {
      return;
    }
    JsonNode eval = JsonMapper.builder().build().readTree(Files.readString(evalJson));
    JsonNode atBudget = null;
    for (JsonNode row : eval.path("by_r")) {
      if (row.path("r").asInt() == budget) {
        atBudget = row;
      }
    }
    if (atBudget == null) {
      System.out.println("  eval.json has no fixed r=" + budget + " row to compare with");
      return;
    }
    String criterion = exit.stateDelta() > 0 ? "state_delta" : "kl";
    double threshold = exit.stateDelta() > 0 ? exit.stateDelta() : exit.kl();
    for (JsonNode row : eval.path("adaptive_exit")) {
      if (row.path("criterion").asString().equals(criterion)
          && Math.abs(row.path("threshold").asDouble() - threshold) < 1e-12
          && row.path("budget").asInt() == budget) {
        System.out.printf(
            Locale.ROOT,
            "  eval.json (held-out): %.2f mean steps, accuracy %.2f%% vs %.2f%% at fixed r=%d"
                + " (%+.2f points); trained hop counts %.2f%% vs %.2f%%%n",
            row.path("mean_steps").asDouble(),
            100 * row.path("accuracy").asDouble(),
            100 * atBudget.path("accuracy").asDouble(),
            budget,
            100 * (row.path("accuracy").asDouble() - atBudget.path("accuracy").asDouble()),
            100 * row.path("accuracy_trained_hops").asDouble(),
            100 * atBudget.path("accuracy_trained_hops").asDouble());
        return;
      }
    }
    System.out.println("  eval.json has no row for these thresholds at budget " + budget);
  }
}
