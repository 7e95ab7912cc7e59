package dev.loopserve.messages;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Sampling parameters. A null field means the model's default; {@code temperature} 0 (or null)
 * means greedy decoding.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Sampling(
    Double temperature, Double topP, Integer topK, Long seed, List<String> stop) {

  /** Greedy decoding with no stop sequences. */
  public static final Sampling GREEDY = new Sampling(0.0, null, null, null, List.of());

  public Sampling {
    stop = stop == null ? List.of() : List.copyOf(stop);
  }
}
