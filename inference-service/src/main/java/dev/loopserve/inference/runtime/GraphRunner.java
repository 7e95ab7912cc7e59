package dev.loopserve.inference.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.loopserve.inference.model.LoadedModel;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the three graphs over a batch of {@link Sequence}s, each computing only its pending
 * positions (the whole prompt at first, then one token at a time) against the keys and values its
 * {@link KvCache} holds for the positions before them.
 *
 * <p>Per call: {@code S} is the most pending positions of any row and {@code P} the longest past
 * (at least 1, so no tensor is empty: a row with no past gets one masked slot). Rows are
 * left-padded in both parts: the mask {@code [batch, P + S]} marks each row's real past slots and
 * real new positions, and the position ids continue from the row's past. Padding never changes a
 * real position's values (see {@code docs/model-package.md}).
 *
 * <p>Inputs and outputs live in direct buffers that are reused from call to call and handed to ONNX
 * Runtime without a copy (outputs are pinned), so the hot path allocates no tensor memory. Not
 * thread-safe: one runner per runtime thread.
 */
final class GraphRunner implements AutoCloseable {

  private static final int ALIGNMENT = 64;

  private final OrtEnvironment env;
  private final OrtSession prelude;
  private final OrtSession core;
  private final OrtSession coda;
  private final int hidden;
  private final int vocab;
  private final long pad;
  private final int preludeLayers;
  private final int coreLayers;
  private final int codaLayers;

  private LongBuffer ids = longs(0);
  private LongBuffer mask = longs(0);
  private LongBuffer positions = longs(0);
  private FloatBuffer embedded = floats(0);
  private FloatBuffer state = floats(0);
  private FloatBuffer out = floats(0);
  private final FloatBuffer[] pastKeys;
  private final FloatBuffer[] pastValues;
  private final FloatBuffer[] presentKeys;
  private final FloatBuffer[] presentValues;
  private float[] zeros = new float[0];

  // Tensor views over the buffers above, kept while the shape stays the same (every step of a
  // token, when the batch does not change): creating one is a native call per tensor per step.
  private final Slot idsSlot = new Slot();
  private final Slot maskSlot = new Slot();
  private final Slot positionsSlot = new Slot();
  private final Slot embeddedSlot = new Slot();
  private final Slot stateSlot = new Slot();
  private final Slot hiddenOutSlot = new Slot();
  private final Slot vocabOutSlot = new Slot();
  private final Slot[] pastKeySlots;
  private final Slot[] pastValueSlots;
  private final Slot[] presentKeySlots;
  private final Slot[] presentValueSlots;

  // The call being prepared: its shape, and its inputs and outputs by name.
  private final Map<String, OnnxTensor> inputs = new HashMap<>();
  private final Map<String, OnnxTensor> outputs = new HashMap<>();

  // Cache tensor names by layer, built once rather than per call.
  private final String[] pastKeyNames;
  private final String[] pastValueNames;
  private final String[] presentKeyNames;
  private final String[] presentValueNames;

  private int batch;
  private int news;
  private int pasts;

  GraphRunner(OrtEnvironment env, LoadedModel model) {
    this.env = env;
    this.prelude = model.prelude();
    this.core = model.core();
    this.coda = model.coda();
    this.hidden = model.hidden();
    this.vocab = model.vocab();
    this.pad = model.manifest().specialTokens().pad();
    this.preludeLayers = model.preludeCacheLayers();
    this.coreLayers = model.coreCacheLayers();
    this.codaLayers = model.codaCacheLayers();
    int layers = Math.max(preludeLayers, Math.max(coreLayers, codaLayers));
    pastKeys = new FloatBuffer[layers];
    pastValues = new FloatBuffer[layers];
    presentKeys = new FloatBuffer[layers];
    presentValues = new FloatBuffer[layers];
    pastKeyNames = layerNames("past_key.", layers);
    pastValueNames = layerNames("past_value.", layers);
    presentKeyNames = layerNames("present_key.", layers);
    presentValueNames = layerNames("present_value.", layers);
    pastKeySlots = slots(layers);
    pastValueSlots = slots(layers);
    presentKeySlots = slots(layers);
    presentValueSlots = slots(layers);
    for (int l = 0; l < layers; l++) {
      pastKeys[l] = floats(0);
      pastValues[l] = floats(0);
      presentKeys[l] = floats(0);
      presentValues[l] = floats(0);
    }
  }

  private static String[] layerNames(String prefix, int layers) {
    String[] names = new String[layers];
    for (int l = 0; l < layers; l++) {
      names[l] = prefix + l;
    }
    return names;
  }

  private Slot[] slots(int n) {
    Slot[] slots = new Slot[n];
    for (int i = 0; i < n; i++) {
      slots[i] = new Slot();
    }
    return slots;
  }

  /** Embeds every row's pending positions into {@link Sequence#embedded}; returns nanos spent. */
  long prelude(List<Sequence> rows) throws OrtException {
    layout(rows);
    for (int r = 0; r < batch; r++) {
      Sequence row = rows.get(r);
      int pending = row.pending();
      int base = r * news;
      for (int j = 0; j < news - pending; j++) {
        ids.put(base + j, pad);
      }
      ids.put(base + news - pending, row.ids, row.kv.committed(), pending);
    }
    putPasts(rows, KvCache.Stage.PRELUDE, preludeLayers);
    inputs.clear();
    inputs.put("input_ids", idsSlot.over(ids, batch, news));
    outputs.clear();
    outputs.put("embedded", hiddenOutSlot.over(out, batch, news, hidden));
    long nanos = run(prelude, preludeLayers);
    for (int r = 0; r < batch; r++) {
      Sequence row = rows.get(r);
      getPending(out, r, row.embedded, 0, row.pending());
    }
    keepPresents(rows, KvCache.Stage.PRELUDE, preludeLayers);
    return nanos;
  }

  /**
   * One recurrence for every row: {@link Sequence#state} becomes s_i, where i is the row's {@link
   * Sequence#step} + 1; returns nanos spent.
   */
  long core(List<Sequence> rows) throws OrtException {
    layout(rows);
    for (int r = 0; r < batch; r++) {
      Sequence row = rows.get(r);
      putPending(embedded, r, row.embedded, row.pending());
      putPending(state, r, row.state, row.pending());
    }
    putPasts(rows, KvCache.Stage.CORE, coreLayers);
    inputs.clear();
    inputs.put("embedded", embeddedSlot.over(embedded, batch, news, hidden));
    inputs.put("state", stateSlot.over(state, batch, news, hidden));
    outputs.clear();
    outputs.put("next_state", hiddenOutSlot.over(out, batch, news, hidden));
    long nanos = run(core, coreLayers);
    for (int r = 0; r < batch; r++) {
      Sequence row = rows.get(r);
      getPending(out, r, row.state, 0, row.pending());
    }
    keepPresents(rows, KvCache.Stage.CORE, coreLayers);
    return nanos;
  }

  /** Next-token logits at each row's last position into {@link Sequence#logits}. */
  long coda(List<Sequence> rows) throws OrtException {
    layout(rows);
    ensureOut((long) batch * news * vocab);
    for (int r = 0; r < batch; r++) {
      Sequence row = rows.get(r);
      putPending(state, r, row.state, row.pending());
    }
    putPasts(rows, KvCache.Stage.CODA, codaLayers);
    inputs.clear();
    inputs.put("state", stateSlot.over(state, batch, news, hidden));
    outputs.clear();
    outputs.put("logits", vocabOutSlot.over(out, batch, news, vocab));
    long nanos = run(coda, codaLayers);
    for (int r = 0; r < batch; r++) {
      Sequence row = rows.get(r);
      out.get(((r * news) + news - 1) * vocab, row.logits, 0, vocab);
    }
    // A KL probe's keys are overwritten by the next coda of the same token; the last one stays.
    keepPresents(rows, KvCache.Stage.CODA, codaLayers);
    return nanos;
  }

  /** Adds the mask, positions and cache tensors to a prepared call and runs it; returns nanos. */
  private long run(OrtSession session, int layers) throws OrtException {
    inputs.put("attention_mask", maskSlot.over(mask, batch, pasts + news));
    inputs.put("position_ids", positionsSlot.over(positions, batch, news));
    for (int l = 0; l < layers; l++) {
      inputs.put(pastKeyNames[l], pastKeySlots[l].over(pastKeys[l], batch, pasts, hidden));
      inputs.put(pastValueNames[l], pastValueSlots[l].over(pastValues[l], batch, pasts, hidden));
      outputs.put(presentKeyNames[l], presentKeySlots[l].over(presentKeys[l], batch, news, hidden));
      outputs.put(
          presentValueNames[l], presentValueSlots[l].over(presentValues[l], batch, news, hidden));
    }
    long start = System.nanoTime();
    try (OrtSession.Result ignored = session.run(inputs, outputs)) {
      return System.nanoTime() - start;
    }
  }

  /**
   * Sizes the call for these rows and writes its mask and position ids; every buffer is then big
   * enough for it.
   */
  private void layout(List<Sequence> rows) {
    batch = rows.size();
    news = 0;
    pasts = 1;
    for (Sequence row : rows) {
      news = Math.max(news, row.pending());
      pasts = Math.max(pasts, row.kv.committed());
    }
    int cells = batch * news;
    int maskCells = batch * (pasts + news);
    if (ids.capacity() < cells) {
      int grown = Math.max(cells, ids.capacity() * 2);
      ids = longs(grown);
      positions = longs(grown);
    }
    if (mask.capacity() < maskCells) {
      mask = longs(Math.max(maskCells, mask.capacity() * 2));
    }
    int hiddenCells = cells * hidden;
    if (embedded.capacity() < hiddenCells) {
      int grown = Math.max(hiddenCells, embedded.capacity() * 2);
      embedded = floats(grown);
      state = floats(grown);
    }
    ensureOut(hiddenCells);
    for (int l = 0; l < pastKeys.length; l++) {
      int pastCells = batch * pasts * hidden;
      if (pastKeys[l].capacity() < pastCells) {
        int grown = Math.max(pastCells, pastKeys[l].capacity() * 2);
        pastKeys[l] = floats(grown);
        pastValues[l] = floats(grown);
      }
      if (presentKeys[l].capacity() < hiddenCells) {
        int grown = Math.max(hiddenCells, presentKeys[l].capacity() * 2);
        presentKeys[l] = floats(grown);
        presentValues[l] = floats(grown);
      }
    }
    int widest = Math.max(pasts, news) * hidden;
    if (zeros.length < widest) {
      zeros = new float[Math.max(widest, zeros.length * 2)];
    }
    for (int r = 0; r < batch; r++) {
      Sequence row = rows.get(r);
      int committed = row.kv.committed();
      int pending = row.pending();
      int base = r * (pasts + news);
      for (int j = 0; j < pasts; j++) {
        mask.put(base + j, j >= pasts - committed ? 1L : 0L);
      }
      int padding = news - pending;
      for (int j = 0; j < news; j++) {
        boolean real = j >= padding;
        mask.put(base + pasts + j, real ? 1L : 0L);
        positions.put(r * news + j, real ? committed + j - padding : 0L);
      }
    }
  }

  /**
   * Fills the past inputs of {@code layers} layers from each row's {@code stage} cache (the core's
   * as the row's next step sees it), right-aligned in the P slots with zeros before.
   */
  private void putPasts(List<Sequence> rows, KvCache.Stage stage, int layers) {
    for (int l = 0; l < layers; l++) {
      for (int r = 0; r < batch; r++) {
        Sequence row = rows.get(r);
        int padding = (pasts - row.kv.committed()) * hidden;
        int base = r * pasts * hidden;
        pastKeys[l].put(base, zeros, 0, padding);
        pastValues[l].put(base, zeros, 0, padding);
        row.kv.copyPast(stage, true, l, row.step + 1, pastKeys[l], base + padding);
        row.kv.copyPast(stage, false, l, row.step + 1, pastValues[l], base + padding);
      }
    }
  }

  /** Stores each row's new keys and values into its {@code stage} cache after the call. */
  private void keepPresents(List<Sequence> rows, KvCache.Stage stage, int layers) {
    for (int r = 0; r < batch; r++) {
      Sequence row = rows.get(r);
      KvCache kv = row.kv;
      for (int l = 0; l < layers; l++) {
        float[] keys = kv.slot(stage, true, l, row.step + 1);
        float[] values = kv.slot(stage, false, l, row.step + 1);
        getPending(presentKeys[l], r, keys, kv.committed(), row.pending());
        getPending(presentValues[l], r, values, kv.committed(), row.pending());
      }
    }
  }

  /** Writes a row's pending {@code [pending, hidden]} values right-aligned in its S slots. */
  private void putPending(FloatBuffer dst, int row, float[] values, int pending) {
    int padding = (news - pending) * hidden;
    int base = row * news * hidden;
    dst.put(base, zeros, 0, padding);
    dst.put(base + padding, values, 0, pending * hidden);
  }

  /** Reads a row's pending positions of a {@code [batch, S, hidden]} output into {@code dst}. */
  private void getPending(FloatBuffer src, int row, float[] dst, int dstPosition, int pending) {
    src.get(((row * news) + news - pending) * hidden, dst, dstPosition * hidden, pending * hidden);
  }

  private void ensureOut(long n) {
    if (out.capacity() < n) {
      out = floats((int) Math.max(n, out.capacity() * 2L));
    }
  }

  /** Releases the cached tensor views; the runner must not be used afterwards. */
  @Override
  public void close() {
    for (Slot slot :
        new Slot[] {
          idsSlot, maskSlot, positionsSlot, embeddedSlot, stateSlot, hiddenOutSlot, vocabOutSlot
        }) {
      slot.close();
    }
    for (Slot[] layerSlots :
        new Slot[][] {pastKeySlots, pastValueSlots, presentKeySlots, presentValueSlots}) {
      for (Slot slot : layerSlots) {
        slot.close();
      }
    }
  }

  /**
   * One input or output tensor over a reused buffer. ONNX Runtime reads and writes the buffer's
   * memory at run time, so refilling the buffer and passing the same tensor again is exact; the
   * tensor is rebuilt only when the shape changes or the buffer was regrown.
   */
  private final class Slot implements AutoCloseable {
    private Buffer buffer;
    private long[] shape = new long[0];
    private OnnxTensor tensor;

    OnnxTensor over(FloatBuffer source, long... newShape) throws OrtException {
      if (tensor == null || buffer != source || !Arrays.equals(shape, newShape)) {
        close();
        tensor = floatTensor(source, newShape);
        buffer = source;
        shape = newShape;
      }
      return tensor;
    }

    OnnxTensor over(LongBuffer source, long... newShape) throws OrtException {
      if (tensor == null || buffer != source || !Arrays.equals(shape, newShape)) {
        close();
        tensor = longTensor(source, newShape);
        buffer = source;
        shape = newShape;
      }
      return tensor;
    }

    @Override
    public void close() {
      if (tensor != null) {
        tensor.close();
        tensor = null;
      }
    }
  }

  private OnnxTensor floatTensor(FloatBuffer buffer, long... shape) throws OrtException {
    int n = (int) count(shape);
    return OnnxTensor.createTensor(env, buffer.duplicate().position(0).limit(n).slice(), shape);
  }

  private OnnxTensor longTensor(LongBuffer buffer, long... shape) throws OrtException {
    int n = (int) count(shape);
    return OnnxTensor.createTensor(env, buffer.duplicate().position(0).limit(n).slice(), shape);
  }

  private static long count(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  private static FloatBuffer floats(int n) {
    return aligned(n * Float.BYTES).asFloatBuffer();
  }

  private static LongBuffer longs(int n) {
    return aligned(n * Long.BYTES).asLongBuffer();
  }

  /**
   * Cache-line aligned native memory, as ONNX Runtime's own allocator hands out: the kernels read
   * these buffers in place, and a plain direct buffer is only 16-byte aligned.
   */
  private static ByteBuffer aligned(int bytes) {
    int rounded = (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    return ByteBuffer.allocateDirect(rounded + ALIGNMENT)
        .alignedSlice(ALIGNMENT)
        .limit(bytes)
        .slice()
        .order(ByteOrder.nativeOrder());
  }
}
