package dev.loopserve.inference.model;

import ai.onnxruntime.OnnxJavaType;
import java.util.List;
import java.util.Map;

/**
 * The tensors each graph must take and produce, as fixed by {@code docs/model-package.md}. Every
 * tensor is rank 2 ({@code [batch, seq]}) or rank 3 ({@code [batch, seq, width]}).
 */
enum GraphContract {
  PRELUDE(
      Map.of(
          "input_ids", Tensor.ids(), "attention_mask", Tensor.ids(), "position_ids", Tensor.ids()),
      Map.of("embedded", Tensor.hidden())),
  CORE(
      Map.of(
          "embedded",
          Tensor.hidden(),
          "state",
          Tensor.hidden(),
          "attention_mask",
          Tensor.ids(),
          "position_ids",
          Tensor.ids()),
      Map.of("next_state", Tensor.hidden())),
  CODA(
      Map.of(
          "state", Tensor.hidden(), "attention_mask", Tensor.ids(), "position_ids", Tensor.ids()),
      Map.of("logits", Tensor.vocab()));

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

  final Map<String, Tensor> inputs;
  final Map<String, Tensor> outputs;

  GraphContract(Map<String, Tensor> inputs, Map<String, Tensor> outputs) {
    this.inputs = inputs;
    this.outputs = outputs;
  }

  String label() {
    return name().toLowerCase();
  }

  List<String> sortedInputs() {
    return inputs.keySet().stream().sorted().toList();
  }

  List<String> sortedOutputs() {
    return outputs.keySet().stream().sorted().toList();
  }
}
