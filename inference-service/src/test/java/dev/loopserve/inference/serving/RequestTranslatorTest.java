package dev.loopserve.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loopserve.inference.TestModels;
import dev.loopserve.inference.model.LoadedModel;
import dev.loopserve.inference.runtime.GenerationRequest;
import dev.loopserve.messages.Budget;
import dev.loopserve.messages.InferenceRequest;
import dev.loopserve.messages.Priority;
import dev.loopserve.messages.Sampling;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestTranslatorTest {

  private final LoadedModel model = TestModels.demo();

  @Test
  void carriesBudgetAndSamplingOver() {
    var sampling = new Sampling(0.7, 0.9, 5, 42L, List.of(";"));
    GenerationRequest g =
        RequestTranslator.translate(
            request("r", new Budget(2, 12, 0.05, 0.001, true), sampling), model);

    assertThat(g.promptIds()[0]).isEqualTo(model.manifest().specialTokens().bos());
    assertThat(g.maxTokens()).isEqualTo(4);
    assertThat(g.recurrence().minSteps()).isEqualTo(2);
    assertThat(g.recurrence().maxSteps()).isEqualTo(12);
    assertThat(g.recurrence().exitStateDelta()).isEqualTo(0.05);
    assertThat(g.recurrence().exitKl()).isEqualTo(0.001);
    assertThat(g.recurrence().warmStart()).isTrue();
    assertThat(g.sampling().temperature()).isEqualTo(0.7);
    assertThat(g.sampling().topK()).isEqualTo(5);
    assertThat(g.sampling().topP()).isEqualTo(0.9);
    assertThat(g.sampling().stop()).containsExactly(";");
    assertThat(g.seed()).isEqualTo(42L);
    assertThat(g.stateInit()).isEqualTo(model.manifest().stateInit());
  }

  @Test
  void withoutASeedTheRequestIdSeedsSoRedeliveriesRepeatThemselves() {
    var a = RequestTranslator.translate(request("same", Budget.fixed(4), Sampling.GREEDY), model);
    var b = RequestTranslator.translate(request("same", Budget.fixed(4), Sampling.GREEDY), model);
    var c = RequestTranslator.translate(request("other", Budget.fixed(4), Sampling.GREEDY), model);
    assertThat(a.seed()).isEqualTo(b.seed()).isNotEqualTo(c.seed());
    assertThat(a.sampling().greedy()).isTrue();
  }

  @Test
  void refusesMoreRecurrenceThanTheModelSupports() {
    int max = model.manifest().recurrence().max();
    assertThatThrownBy(
            () ->
                RequestTranslator.translate(
                    request("r", Budget.fixed(max + 1), Sampling.GREEDY), model))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds the model's recurrence max " + max);
  }

  private static InferenceRequest request(String id, Budget budget, Sampling sampling) {
    return new InferenceRequest(
        id,
        "t",
        "loop-demo",
        "a=1;a?",
        4,
        0,
        0,
        sampling,
        budget,
        1,
        0,
        false,
        Priority.STANDARD,
        null);
  }
}
