package dev.loopserve.inference.runtime;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One request's attention keys and values, so each token computes only its own positions: one cache
 * for the prelude layers, one per recurrence step for the core layers, and one for the coda layers.
 * Every array is {@code [capacity, hidden]} row-major, position-major, as the graphs take and
 * return them ({@code docs/model-package.md}).
 *
 * <p>A position that exited after {@code k} core steps has nothing in the slots of later steps; a
 * later token at step {@code i > k} reads that position's step-{@code k} keys instead ("fill
 * forward", as Huginn does). The fill happens as the past is copied out, so an early exit costs no
 * memory or copying.
 *
 * <p>Positions below {@link #committed()} are final; positions from there to the sequence length
 * belong to the token being computed and are rewritten by every call until the token completes.
 */
final class KvCache {

  private final int hidden;
  private final int capacity;
  private final float[][] preludeKeys;
  private final float[][] preludeValues;
  private final float[][] codaKeys;
  private final float[][] codaValues;

  /** By step - 1, then layer: allocated the first time a token reaches that step. */
  private final List<float[][]> coreKeys = new ArrayList<>();

  private final List<float[][]> coreValues = new ArrayList<>();
  private final int coreLayers;

  /** Core steps each committed position ran. */
  private final int[] steps;

  private int committed;

  KvCache(int capacity, int hidden, int preludeLayers, int coreLayers, int codaLayers) {
    this.hidden = hidden;
    this.capacity = capacity;
    this.coreLayers = coreLayers;
    this.preludeKeys = new float[preludeLayers][capacity * hidden];
    this.preludeValues = new float[preludeLayers][capacity * hidden];
    this.codaKeys = new float[codaLayers][capacity * hidden];
    this.codaValues = new float[codaLayers][capacity * hidden];
    this.steps = new int[capacity];
  }

  /** Positions whose keys and values are final in every cache: the past of the next call. */
  int committed() {
    return committed;
  }

  /** Marks positions {@code [committed, end)} final after they ran {@code coreSteps} steps. */
  void commit(int end, int coreSteps) {
    if (coreSteps < 1) {
      throw new IllegalStateException("a token must take at least one core step");
    }
    for (int p = committed; p < end; p++) {
      steps[p] = coreSteps;
    }
    committed = end;
  }

  /** The graph whose attention layers a cache belongs to. */
  enum Stage {
    PRELUDE,
    CORE,
    CODA
  }

  /**
   * The array holding {@code stage}'s keys or values of {@code layer}; for the core, the slot that
   * step {@code step} (1-based) writes, allocated the first time a token reaches that step. The
   * prelude and coda have one array per layer and ignore {@code step}.
   */
  float[] slot(Stage stage, boolean keys, int layer, int step) {
    return switch (stage) {
      case PRELUDE -> keys ? preludeKeys[layer] : preludeValues[layer];
      case CODA -> keys ? codaKeys[layer] : codaValues[layer];
      case CORE -> {
        while (coreKeys.size() < step) {
          coreKeys.add(new float[coreLayers][capacity * hidden]);
          coreValues.add(new float[coreLayers][capacity * hidden]);
        }
        yield (keys ? coreKeys : coreValues).get(step - 1)[layer];
      }
    };
  }

  /**
   * Copies the committed positions' keys or values of {@code layer} into {@code dst} from {@code
   * offset}, in position order. For the core, as step {@code step} sees them: each position at
   * {@code min(step, its own steps)}, one bulk copy per run of positions that exited at the same
   * step.
   */
  void copyPast(Stage stage, boolean keys, int layer, int step, FloatBuffer dst, int offset) {
    if (stage != Stage.CORE) {
      dst.put(offset, slot(stage, keys, layer, step), 0, committed * hidden);
      return;
    }
    List<float[][]> slots = keys ? coreKeys : coreValues;
    int p = 0;
    while (p < committed) {
      int source = Math.min(step, steps[p]);
      int end = p + 1;
      while (end < committed && Math.min(step, steps[end]) == source) {
        end++;
      }
      dst.put(offset + p * hidden, slots.get(source - 1)[layer], p * hidden, (end - p) * hidden);
      p = end;
    }
  }
}
