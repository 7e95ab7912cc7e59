package dev.loopserve.inference.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtEnvironment;
import dev.loopserve.inference.TestModels;
import dev.loopserve.inference.model.LoadedModel;
import dev.loopserve.inference.model.ModelManifest;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Java runtime reproduces {@code reference.json}, written by the PyTorch side: same greedy
 * completion, same first-token top-5 logits. Any drift in padding, positions, state init or the
 * recurrence loop shows here. The exit cases add adaptive exit: every token's steps and top-5
 * logits, with tokens that exit at different depths, so the KV cache's fill-forward (a position
 * seen at its own exit step by deeper steps of later tokens) is checked across languages.
 */
class ReferenceParityTest {

  static Stream<JsonNode> cases() throws Exception {
    return read("cases");
  }

  static Stream<JsonNode> exitCases() throws Exception {
    return read("exit_cases");
  }

  private static Stream<JsonNode> read(String field) throws Exception {
    JsonNode reference =
        JsonMapper.builder()
            .build()
            .readTree(Files.readString(TestModels.demoDir().resolve("reference.json")));
    assertThat(reference.get("state_init").asString()).isEqualTo("zeros");
    List<JsonNode> cases = new ArrayList<>();
    reference.get(field).forEach(cases::add);
    assertThat(cases).isNotEmpty();
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void greedyCompletionAndFirstLogitsMatchPyTorch(JsonNode c) {
    LoadedModel model = TestModels.demo();
    var generator = new SequentialGenerator(OrtEnvironment.getEnvironment(), model);
    var request =
        new GenerationRequest(
            "ref",
            model.tokenizer().encode(c.get("prompt").asString()),
            c.get("max_tokens").asInt(),
            RecurrencePlan.fixed(c.get("r").asInt()),
            SamplingPlan.GREEDY,
            new ModelManifest.StateInit(ModelManifest.StateInit.ZEROS, 0),
            0);
    List<GeneratedToken> tokens = new ArrayList<>();

    GenerationResult result = generator.generate(request, tokens::add, () -> false);

    assertThat(result.status()).isEqualTo(GenerationResult.Status.COMPLETED);
    List<Long> expectedIds = new ArrayList<>();
    c.get("completion_ids").forEach(n -> expectedIds.add(n.asLong()));
    assertThat(result.tokenIds())
        .containsExactly(expectedIds.stream().mapToLong(Long::longValue).toArray());
    assertThat(result.text()).isEqualTo(c.get("completion").asString());
    float[] logits = tokens.get(0).logits();
    for (JsonNode top : c.get("first_token_top5")) {
      assertThat((double) logits[top.get("id").asInt()])
          .as("logit of %s", top.get("token").asString())
          .isCloseTo(top.get("logit").asDouble(), within(1e-4));
    }
    int[] order = topIds(logits, 5);
    int i = 0;
    for (JsonNode top : c.get("first_token_top5")) {
      assertThat(order[i++]).isEqualTo(top.get("id").asInt());
    }
    assertThat(result.stepsPerToken()).containsOnly(c.get("r").asInt());
  }

  @ParameterizedTest
  @MethodSource("exitCases")
  void adaptiveExitStepsAndEveryTokensLogitsMatchPyTorch(JsonNode c) {
    LoadedModel model = TestModels.demo();
    var generator = new SequentialGenerator(OrtEnvironment.getEnvironment(), model);
    JsonNode exit = c.get("exit");
    assertThat(c.get("ignore_eos").asBoolean()).isTrue();
    var request =
        new GenerationRequest(
            "ref-exit",
            model.tokenizer().encode(c.get("prompt").asString()),
            c.get("max_tokens").asInt(),
            new RecurrencePlan(
                exit.get("min_steps").asInt(),
                exit.get("max_steps").asInt(),
                exit.get("state_delta").asDouble(),
                0,
                false),
            SamplingPlan.GREEDY.ignoringEos(),
            new ModelManifest.StateInit(ModelManifest.StateInit.ZEROS, 0),
            0);
    List<GeneratedToken> tokens = new ArrayList<>();

    GenerationResult result = generator.generate(request, tokens::add, () -> false);

    assertThat(result.status()).isEqualTo(GenerationResult.Status.COMPLETED);
    long[] expectedIds = new long[c.get("completion_ids").size()];
    int[] expectedSteps = new int[c.get("steps_per_token").size()];
    for (int t = 0; t < expectedIds.length; t++) {
      expectedIds[t] = c.get("completion_ids").get(t).asLong();
      expectedSteps[t] = c.get("steps_per_token").get(t).asInt();
    }
    assertThat(result.tokenIds()).containsExactly(expectedIds);
    assertThat(result.stepsPerToken()).containsExactly(expectedSteps);
    for (int t = 0; t < expectedIds.length; t++) {
      float[] logits = tokens.get(t).logits();
      int[] order = topIds(logits, 5);
      int i = 0;
      for (JsonNode top : c.get("top5_per_token").get(t)) {
        assertThat((double) logits[top.get("id").asInt()])
            .as("token %d, logit of %s", t, top.get("token").asString())
            .isCloseTo(top.get("logit").asDouble(), within(1e-4));
        assertThat(order[i++]).as("token %d, rank %d", t, i).isEqualTo(top.get("id").asInt());
      }
    }
  }

  private static int[] topIds(float[] logits, int k) {
    Integer[] idx = new Integer[logits.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    java.util.Arrays.sort(idx, (a, b) -> Float.compare(logits[b], logits[a]));
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      out[i] = idx[i];
    }
    return out;
  }
}
