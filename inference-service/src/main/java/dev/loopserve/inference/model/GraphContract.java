package dev.loopserve.inference.model;

import ai.onnxruntime.OnnxJavaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors a graph must take and produce, as fixed by {@code docs/model-package.md}: its own
 * inputs and outputs plus, for each of its {@code cacheLayers} attention layers, the past keys and
 * values it reads and the new positions' keys and values it returns. Every tensor is rank 2 ({@code
 * [batch, seq]}) or rank 3 ({@code [batch, seq, width]}).
 */
final class GraphContract {

  /** What the last axis of a rank-3 tensor must be. */
  enum Width {
    NONE,
    HIDDEN,
    VOCAB
  }

  record Tensor(OnnxJavaType type, int rank, Width width) {
    static Tensor ids() {
      return new Tensor(OnnxJavaType.INT64, 2, Width.NONE);
    }

    static Tensor hidden() {
      return new Tensor(OnnxJavaType.FLOAT, 3, Width.HIDDEN);
    }

    static Tensor vocab() {
      return new Tensor(OnnxJavaType.FLOAT, 3, Width.VOCAB);
    }
  }

  private final String label;
  final Map<String, Tensor> inputs;
  final Map<String, Tensor> outputs;

  private GraphContract(
      String label, Map<String, Tensor> inputs, Map<String, Tensor> outputs, int cacheLayers) {
    this.label = label;
    this.inputs = new LinkedHashMap<>(inputs);
    this.outputs = new LinkedHashMap<>(outputs);
    for (int l = 0; l < cacheLayers; l++) {
      this.inputs.put("past_key." + l, Tensor.hidden());
      this.inputs.put("past_value." + l, Tensor.hidden());
      this.outputs.put("present_key." + l, Tensor.hidden());
      this.outputs.put("present_value." + l, Tensor.hidden());
    }
  }

  static GraphContract prelude(int cacheLayers) {
    return new GraphContract(
        "prelude",
        Map.of(
            "input_ids",
            Tensor.ids(),
            "attention_mask",
            Tensor.ids(),
            "position_ids",
            Tensor.ids()),
        Map.of("embedded", Tensor.hidden()),
        cacheLayers);
  }

  static GraphContract core(int cacheLayers) {
    return new GraphContract(
        "core",
        Map.of(
            "embedded",
            Tensor.hidden(),
            "state",
            Tensor.hidden(),
            "attention_mask",
            Tensor.ids(),
            "position_ids",
            Tensor.ids()),
        Map.of("next_state", Tensor.hidden()),
        cacheLayers);
  }

  static GraphContract coda(int cacheLayers) {
    return new GraphContract(
        "coda",
        Map.of(
            "state", Tensor.hidden(), "attention_mask", Tensor.ids(), "position_ids", Tensor.ids()),
        Map.of("logits", Tensor.vocab()),
        cacheLayers);
  }

  String label() {
    return label;
  }

  List<String> sortedInputs() {
    return inputs.keySet().stream().sorted().toList();
  }

  List<String> sortedOutputs() {
    return outputs.keySet().stream().sorted().toList();
  }
}
