package dev.loopserve.inference.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The parsed {@code model.json} of a model package. Field meanings are fixed by {@code
 * docs/model-package.md}; this record is only built from a manifest that already passed the JSON
 * Schema, so required fields are present.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelManifest(
    @JsonProperty("schema_version") int schemaVersion,
    String name,
    String version,
    String family,
    @JsonProperty("vocab_size") int vocabSize,
    @JsonProperty("special_tokens") SpecialTokens specialTokens,
    @JsonProperty("max_context") int maxContext,
    @JsonProperty("hidden_size") int hiddenSize,
    @JsonProperty("state_init") StateInit stateInit,
    Recurrence recurrence,
    Exit exit,
    Graphs graphs,
    String tokenizer,
    String eval,
    Map<String, String> files) {

  /** Token ids with a fixed role. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SpecialTokens(int pad, int bos, int eos, Integer unk) {}

  /**
   * Serving default for the initial latent state {@code s_0}.
   *
   * @param kind {@code zeros} or {@code truncated_normal} (N(0, sigma²) truncated at ±3 sigma)
   * @param sigma standard deviation for the random start
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record StateInit(String kind, double sigma) {

    public static final String ZEROS = "zeros";
    public static final String TRUNCATED_NORMAL = "truncated_normal";

    public boolean random() {
      return TRUNCATED_NORMAL.equals(kind) && sigma > 0;
    }
  }

  /** Recurrence steps (applications of the core block per token) the model supports. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Recurrence(
      int min,
      @JsonProperty("default") int defaultSteps,
      int max,
      @JsonProperty("train_mean") double trainMean) {}

  /** Default adaptive-exit thresholds; 0 disables a criterion. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Exit(@JsonProperty("state_delta") double stateDelta, double kl) {}

  /**
   * One ONNX graph: its file, relative to the package, its declared input/output names, and how
   * many attention layers it holds, each taking {@code past_key.<l>}/{@code past_value.<l>} and
   * returning {@code present_key.<l>}/{@code present_value.<l>}.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Graph(
      String file,
      List<String> inputs,
      List<String> outputs,
      @JsonProperty("cache_layers") int cacheLayers) {}

  /** The graphs of the package; {@code fused} is an optional performance variant, unused here. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Graphs(Graph prelude, Graph core, Graph coda, Graph fused) {}
}
