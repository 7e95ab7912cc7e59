package dev.loopserve.inference.runtime;

import java.util.List;

/**
 * How the next token is picked from the logits.
 *
 * @param temperature 0 means greedy (argmax, lowest id on ties)
 * @param topK keep the k most likely tokens; 0 keeps all
 * @param topP keep the smallest set of most likely tokens whose probability reaches p; 1 keeps all
 * @param stop generation ends when the text contains one of these; the text is cut before it
 */
public record SamplingPlan(double temperature, int topK, double topP, List<String> stop) {

  public static final SamplingPlan GREEDY = new SamplingPlan(0, 0, 1, List.of());

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
}
