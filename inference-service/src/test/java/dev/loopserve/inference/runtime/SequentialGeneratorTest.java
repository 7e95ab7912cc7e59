package dev.loopserve.inference.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import dev.loopserve.inference.TestModels;
import dev.loopserve.inference.model.LoadedModel;
import dev.loopserve.inference.model.ModelManifest.StateInit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Semantics of one request, independent of batching. */
class SequentialGeneratorTest {

  private static final StateInit ZEROS = new StateInit(StateInit.ZEROS, 0);
  private final LoadedModel model = TestModels.demo();
  private final SequentialGenerator generator =
      new SequentialGenerator(OrtEnvironment.getEnvironment(), model);
  private final SamplingPlan hot = new SamplingPlan(4.0, 0, 1, List.of());

  @Test
  void adaptiveExitStopsEarlyButNeverBeforeMinSteps() {
    var exit = new RecurrencePlan(3, 32, 0.05, 0, false);
    GenerationResult result = generate("x=7;y=x*3;y?", 4, exit, SamplingPlan.GREEDY, ZEROS, 0);
    assertThat(result.exitReasons()).contains(ExitReason.STATE_DELTA);
    assertThat(Arrays.stream(result.stepsPerToken()).boxed())
        .allSatisfy(s -> assertThat(s).isBetween(3, 31));
  }

  @Test
  void warmStartChangesLaterTokensOnly() {
    List<float[]> cold = new ArrayList<>();
    List<float[]> warm = new ArrayList<>();
    generate("k=5;k?", 4, new RecurrencePlan(4, 4, 0, 0, false), hot, ZEROS, 3, cold);
    generate("k=5;k?", 4, new RecurrencePlan(4, 4, 0, 0, true), hot, ZEROS, 3, warm);
    assertThat(warm.get(0)).containsExactly(cold.get(0));
    assertThat(warm.size()).isGreaterThan(1);
    assertThat(Arrays.equals(warm.get(1), cold.get(1))).isFalse();
  }

  @Test
  void ignoringEosGeneratesExactlyMaxTokens() {
    GenerationResult stops =
        generate("a=3;b=a+4;c=b*2;c?", 5, RecurrencePlan.fixed(4), SamplingPlan.GREEDY, ZEROS, 0);
    GenerationResult fixed =
        generate(
            "a=3;b=a+4;c=b*2;c?",
            5,
            RecurrencePlan.fixed(4),
            SamplingPlan.GREEDY.ignoringEos(),
            ZEROS,
            0);
    assertThat(stops.finishReason()).isEqualTo(FinishReason.EOS);
    assertThat(stops.stepsPerToken()).hasSizeLessThan(5);
    assertThat(fixed.finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(fixed.stepsPerToken()).hasSize(5);
    assertThat(fixed.tokenIds()[0]).isEqualTo(stops.tokenIds()[0]);
  }

  @Test
  void seededRandomStartIsReproducibleAndSeedDependent() {
    var random = new StateInit(StateInit.TRUNCATED_NORMAL, 1.0);
    List<float[]> a = new ArrayList<>();
    List<float[]> b = new ArrayList<>();
    List<float[]> c = new ArrayList<>();
    generate("a=1;a?", 1, RecurrencePlan.fixed(2), SamplingPlan.GREEDY, random, 5, a);
    generate("a=1;a?", 1, RecurrencePlan.fixed(2), SamplingPlan.GREEDY, random, 5, b);
    generate("a=1;a?", 1, RecurrencePlan.fixed(2), SamplingPlan.GREEDY, random, 6, c);
    assertThat(a.get(0)).containsExactly(b.get(0));
    assertThat(Arrays.equals(a.get(0), c.get(0))).isFalse();
  }

  @Test
  void cancellationKeepsWhatWasGenerated() {
    List<GeneratedToken> tokens = new ArrayList<>();
    GenerationResult result =
        generator.generate(
            request("z=2;z?", 50, RecurrencePlan.fixed(2), hot, ZEROS, 13),
            tokens::add,
            () -> tokens.size() >= 2);
    assertThat(result.status()).isEqualTo(GenerationResult.Status.CANCELLED);
    assertThat(result.tokenIds()).hasSize(2);
    assertThat(result.finishReason()).isNull();
  }

  private GenerationResult generate(
      String prompt,
      int maxTokens,
      RecurrencePlan plan,
      SamplingPlan sampling,
      StateInit init,
      long seed) {
    return generate(prompt, maxTokens, plan, sampling, init, seed, new ArrayList<>());
  }

  private GenerationResult generate(
      String prompt,
      int maxTokens,
      RecurrencePlan plan,
      SamplingPlan sampling,
      StateInit init,
      long seed,
      List<float[]> logits) {
    return generator.generate(
        request(prompt, maxTokens, plan, sampling, init, seed),
        t -> logits.add(t.logits()),
        () -> false);
  }

  private GenerationRequest request(
      String prompt,
      int maxTokens,
      RecurrencePlan plan,
      SamplingPlan sampling,
      StateInit init,
      long seed) {
    return new GenerationRequest(
        "t", model.tokenizer().encode(prompt), maxTokens, plan, sampling, init, seed);
  }
}
