package dev.loopserve.inference.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.loopserve.inference.model.LoadedModel;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The baseline the runtime must beat: one request at a time, the three sessions called in the most
 * direct way (tensors built from arrays for every call, outputs copied back into arrays), zeros
 * start, fixed r, greedy, no batching, no buffer reuse, no exit checks. It keeps the same key/value
 * caches the runtime keeps, so each token computes only its own positions, as any serious
 * single-request loop over these graphs would.
 */
final class PlainLoop {

  long coreNanos;
  long coreCalls;
  private final OrtEnvironment env;
  private final LoadedModel model;
  private final int hidden;

  PlainLoop(OrtEnvironment env, LoadedModel model) {
    this.env = env;
    this.model = model;
    this.hidden = model.hidden();
  }

  /**
   * Generates greedily; returns the number of decoding steps (tokens, {@code <eos>} included).
   *
   * @param ignoreEos generate {@code maxTokens} tokens even past {@code <eos>}
   */
  int generate(long[] prompt, int r, int maxTokens, boolean ignoreEos) throws OrtException {
    int eos = model.manifest().specialTokens().eos();
    int maxContext = model.manifest().maxContext();
    int vocab = model.vocab();
    int capacity = Math.min(maxContext, prompt.length + maxTokens);
    float[][] preludeCache = new float[2 * model.preludeCacheLayers()][capacity * hidden];
    float[][][] coreCache = new float[r][2 * model.coreCacheLayers()][capacity * hidden];
    float[][] codaCache = new float[2 * model.codaCacheLayers()][capacity * hidden];
    long[] pending = prompt;
    int past = 0;
    int tokens = 0;
    while (tokens < maxTokens && past + pending.length < maxContext) {
      int n = pending.length;
      // No past yet: one masked slot, so no tensor is empty.
      int slots = Math.max(1, past);
      long[][] mask = new long[1][slots + n];
      long[][] pos = new long[1][n];
      for (int j = 0; j < slots + n; j++) {
        mask[0][j] = j < slots - past ? 0 : 1;
      }
      for (int j = 0; j < n; j++) {
        pos[0][j] = past + j;
      }
      int next;
      try (OnnxTensor tIds = OnnxTensor.createTensor(env, new long[][] {pending});
          OnnxTensor tMask = OnnxTensor.createTensor(env, mask);
          OnnxTensor tPos = OnnxTensor.createTensor(env, pos)) {
        float[] e =
            run(model.prelude(), Map.of("input_ids", tIds), tMask, tPos, preludeCache, past);
        float[] s = new float[n * hidden];
        for (int i = 0; i < r; i++) {
          try (OnnxTensor tE = tensor(e, n);
              OnnxTensor tS = tensor(s, n)) {
            long t0 = System.nanoTime();
            s =
                run(
                    model.core(),
                    Map.of("embedded", tE, "state", tS),
                    tMask,
                    tPos,
                    coreCache[i],
                    past);
            coreNanos += System.nanoTime() - t0;
            coreCalls++;
          }
        }
        float[] logits;
        try (OnnxTensor tS = tensor(s, n)) {
          logits = run(model.coda(), Map.of("state", tS), tMask, tPos, codaCache, past);
        }
        int base = (n - 1) * vocab;
        next = 0;
        for (int v = 1; v < vocab; v++) {
          if (logits[base + v] > logits[base + next]) {
            next = v;
          }
        }
      }
      tokens++;
      if (next == eos && !ignoreEos) {
        break;
      }
      past += n;
      pending = new long[] {next};
    }
    return tokens;
  }

  /**
   * Runs one graph with its past keys and values taken from {@code cache} (keys and values of layer
   * l at 2l and 2l+1, {@code past} positions) and appends the new positions' ones to it; returns
   * the graph's first output.
   */
  private float[] run(
      OrtSession session,
      Map<String, OnnxTensor> own,
      OnnxTensor mask,
      OnnxTensor positions,
      float[][] cache,
      int past)
      throws OrtException {
    int layers = cache.length / 2;
    Map<String, OnnxTensor> inputs = new HashMap<>(own);
    inputs.put("attention_mask", mask);
    inputs.put("position_ids", positions);
    int slots = Math.max(1, past);
    try {
      for (int l = 0; l < layers; l++) {
        inputs.put("past_key." + l, pastTensor(cache[2 * l], past, slots));
        inputs.put("past_value." + l, pastTensor(cache[2 * l + 1], past, slots));
      }
      try (OrtSession.Result result = session.run(inputs)) {
        for (int l = 0; l < layers; l++) {
          copyInto(result, "present_key." + l, cache[2 * l], past);
          copyInto(result, "present_value." + l, cache[2 * l + 1], past);
        }
        FloatBuffer first = ((OnnxTensor) result.get(0)).getFloatBuffer();
        float[] out = new float[first.remaining()];
        first.get(out);
        return out;
      }
    } finally {
      for (int l = 0; l < layers; l++) {
        closeIfPresent(inputs.get("past_key." + l));
        closeIfPresent(inputs.get("past_value." + l));
      }
    }
  }

  private OnnxTensor pastTensor(float[] cache, int past, int slots) throws OrtException {
    FloatBuffer values =
        past == 0 ? FloatBuffer.allocate(hidden) : FloatBuffer.wrap(cache, 0, past * hidden);
    return OnnxTensor.createTensor(env, values, new long[] {1, slots, hidden});
  }

  private void copyInto(OrtSession.Result result, String name, float[] cache, int past)
      throws OrtException {
    FloatBuffer present = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
    present.get(cache, past * hidden, present.remaining());
  }

  private OnnxTensor tensor(float[] values, int n) throws OrtException {
    return OnnxTensor.createTensor(env, FloatBuffer.wrap(values), new long[] {1, n, hidden});
  }

  private static void closeIfPresent(OnnxTensor tensor) {
    if (tensor != null) {
      tensor.close();
    }
  }
}
