package dev.loopserve.inference.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.loopserve.inference.model.LoadedModel;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * The baseline the runtime must beat: one request at a time, the three sessions called in the most
 * direct way (tensors built from arrays, the core's output fed straight back as its next input),
 * zeros start, fixed r, greedy. No batching, no buffer reuse, no exit checks.
 */
final class PlainLoop {

  long coreNanos;
  long coreCalls;
  private final OrtEnvironment env;
  private final LoadedModel model;

  PlainLoop(OrtEnvironment env, LoadedModel model) {
    this.env = env;
    this.model = model;
  }

  /** Generates greedily; returns the number of decoding steps (tokens, {@code <eos>} included). */
  int generate(long[] prompt, int r, int maxTokens) throws OrtException {
    int eos = model.manifest().specialTokens().eos();
    int maxContext = model.manifest().maxContext();
    int hidden = model.hidden();
    int vocab = model.vocab();
    long[] ids = prompt;
    int tokens = 0;
    while (tokens < maxTokens && ids.length < maxContext) {
      int len = ids.length;
      long[][] mask = new long[1][len];
      long[][] pos = new long[1][len];
      for (int j = 0; j < len; j++) {
        mask[0][j] = 1;
        pos[0][j] = j;
      }
      int next;
      try (OnnxTensor tIds = OnnxTensor.createTensor(env, new long[][] {ids});
          OnnxTensor tMask = OnnxTensor.createTensor(env, mask);
          OnnxTensor tPos = OnnxTensor.createTensor(env, pos);
          OrtSession.Result pre =
              model
                  .prelude()
                  .run(Map.of("input_ids", tIds, "attention_mask", tMask, "position_ids", tPos))) {
        OnnxTensor e = (OnnxTensor) pre.get(0);
        OnnxTensor s =
            OnnxTensor.createTensor(
                env, FloatBuffer.allocate(len * hidden), new long[] {1, len, hidden});
        OrtSession.Result last = null;
        try {
          for (int i = 0; i < r; i++) {
            long t0 = System.nanoTime();
            OrtSession.Result step =
                model
                    .core()
                    .run(
                        Map.of(
                            "embedded",
                            e,
                            "state",
                            s,
                            "attention_mask",
                            tMask,
                            "position_ids",
                            tPos));
            coreNanos += System.nanoTime() - t0;
            coreCalls++;
            if (last != null) {
              last.close();
            } else {
              s.close();
            }
            last = step;
            s = (OnnxTensor) step.get(0);
          }
          try (OrtSession.Result coda =
              model.coda().run(Map.of("state", s, "attention_mask", tMask, "position_ids", tPos))) {
            FloatBuffer logits = ((OnnxTensor) coda.get(0)).getFloatBuffer();
            int base = (len - 1) * vocab;
            next = 0;
            for (int v = 1; v < vocab; v++) {
              if (logits.get(base + v) > logits.get(base + next)) {
                next = v;
              }
            }
          }
        } finally {
          if (last != null) {
            last.close();
          }
        }
      }
      tokens++;
      if (next == eos) {
        break;
      }
      long[] grown = java.util.Arrays.copyOf(ids, len + 1);
      grown[len] = next;
      ids = grown;
    }
    return tokens;
  }
}
