package dev.loopserve.inference.runtime;

import java.util.List;

/**
 * How the next token is picked from the logits.
 *
 * @param temperature 0 means greedy (argmax, lowest id on ties)
 * @param topK keep the k most likely tokens; 0 keeps all
 * @param topP keep the smallest set of most likely tokens whose probability reaches p; 1 keeps all
 * @param stop generation ends when the text contains one of these; the text is cut before it
 * @param ignoreEos keep generating after {@code <eos>} until {@code maxTokens}, for benchmarks that
 *     need a fixed output length (as vLLM's {@code ignore_eos})
 */
public record SamplingPlan(
    double temperature, int topK, double topP, List<String> stop, boolean ignoreEos) {

  public static final SamplingPlan GREEDY = new SamplingPlan(0, 0, 1, List.of());

  /** A plan that stops at {@code <eos>}. */
  public SamplingPlan(double temperature, int topK, double topP, List<String> stop) {
    this(temperature, topK, topP, stop, false);
  }

  public SamplingPlan {
    if (!(temperature >= 0) || topK < 0 || !(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException(
          "need temperature >= 0, topK >= 0, 0 < topP <= 1; got "
              + temperature
              + ", "
              + topK
              + ", "
              + topP);
    }
    stop = stop == null ? List.of() : stop.stream().filter(s -> !s.isEmpty()).toList();
  }

  public boolean greedy() {
    return temperature == 0;
  }

  /** This plan, but generating exactly {@code maxTokens} tokens whatever they are. */
  public SamplingPlan ignoringEos() {
    return new SamplingPlan(temperature, topK, topP, stop, true);
  }
}
