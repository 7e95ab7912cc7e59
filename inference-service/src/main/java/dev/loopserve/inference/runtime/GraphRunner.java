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
import java.util.List;
import java.util.Map;

/**
 * Runs the three graphs over a batch of {@link Sequence}s of any lengths, left-padding every row to
 * the longest one. Inputs and outputs live in direct buffers that are reused from call to call and
 * handed to ONNX Runtime without a copy (outputs are pinned), so the hot path allocates no tensor
 * memory. Not thread-safe: one runner per runtime thread.
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

  private LongBuffer ids = longs(0);
  private LongBuffer mask = longs(0);
  private LongBuffer positions = longs(0);
  private FloatBuffer embedded = floats(0);
  private FloatBuffer state = floats(0);
  private FloatBuffer out = floats(0);
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

  GraphRunner(OrtEnvironment env, LoadedModel model) {
    this.env = env;
    this.prelude = model.prelude();
    this.core = model.core();
    this.coda = model.coda();
    this.hidden = model.hidden();
    this.vocab = model.vocab();
    this.pad = model.manifest().specialTokens().pad();
  }

  /** Embeds every row's current sequence into {@link Sequence#embedded}; returns nanos spent. */
  long prelude(List<Sequence> rows) throws OrtException {
    int b = rows.size();
    int len = maxLength(rows);
    fillMaskAndPositions(rows, len);
    for (int r = 0; r < b; r++) {
      Sequence row = rows.get(r);
      int padding = len - row.length;
      int base = r * len;
      for (int j = 0; j < padding; j++) {
        ids.put(base + j, pad);
      }
      ids.put(base + padding, row.ids, 0, row.length);
    }
    long start = System.nanoTime();
    OnnxTensor tIds = idsSlot.over(ids, b, len);
    OnnxTensor tMask = maskSlot.over(mask, b, len);
    OnnxTensor tPos = positionsSlot.over(positions, b, len);
    OnnxTensor tOut = hiddenOutSlot.over(out, b, len, hidden);
    try (OrtSession.Result ignored =
        prelude.run(
            Map.of("input_ids", tIds, "attention_mask", tMask, "position_ids", tPos),
            Map.of("embedded", tOut))) {
      long nanos = System.nanoTime() - start;
      for (int r = 0; r < b; r++) {
        Sequence row = rows.get(r);
        getUnpadded(r, len, row.embedded, row.length);
      }
      return nanos;
    }
  }

  /** One recurrence for every row: {@link Sequence#state} becomes s_i; returns nanos spent. */
  long core(List<Sequence> rows) throws OrtException {
    int b = rows.size();
    int len = maxLength(rows);
    fillMaskAndPositions(rows, len);
    ensureFloats(b * len * hidden);
    for (int r = 0; r < b; r++) {
      Sequence row = rows.get(r);
      putLeftPadded(embedded, r, len, row.embedded, row.length);
      putLeftPadded(state, r, len, row.state, row.length);
    }
    long start = System.nanoTime();
    OnnxTensor tE = embeddedSlot.over(embedded, b, len, hidden);
    OnnxTensor tS = stateSlot.over(state, b, len, hidden);
    OnnxTensor tMask = maskSlot.over(mask, b, len);
    OnnxTensor tPos = positionsSlot.over(positions, b, len);
    OnnxTensor tOut = hiddenOutSlot.over(out, b, len, hidden);
    try (OrtSession.Result ignored =
        core.run(
            Map.of("embedded", tE, "state", tS, "attention_mask", tMask, "position_ids", tPos),
            Map.of("next_state", tOut))) {
      long nanos = System.nanoTime() - start;
      for (int r = 0; r < b; r++) {
        Sequence row = rows.get(r);
        getUnpadded(r, len, row.state, row.length);
      }
      return nanos;
    }
  }

  /** Next-token logits at each row's last position into {@link Sequence#logits}. */
  long coda(List<Sequence> rows) throws OrtException {
    int b = rows.size();
    int len = maxLength(rows);
    fillMaskAndPositions(rows, len);
    ensureFloats(b * len * hidden);
    for (int r = 0; r < b; r++) {
      Sequence row = rows.get(r);
      putLeftPadded(state, r, len, row.state, row.length);
    }
    long start = System.nanoTime();
    OnnxTensor tS = stateSlot.over(state, b, len, hidden);
    OnnxTensor tMask = maskSlot.over(mask, b, len);
    OnnxTensor tPos = positionsSlot.over(positions, b, len);
    OnnxTensor tOut = vocabOutSlot.over(out, b, len, vocab);
    try (OrtSession.Result ignored =
        coda.run(
            Map.of("state", tS, "attention_mask", tMask, "position_ids", tPos),
            Map.of("logits", tOut))) {
      long nanos = System.nanoTime() - start;
      for (int r = 0; r < b; r++) {
        out.get(((r * len) + len - 1) * vocab, rows.get(r).logits, 0, vocab);
      }
      return nanos;
    }
  }

  /**
   * Writes one row's [length, hidden] values right-aligned in a [len, hidden] slot, zeros before.
   */
  private void putLeftPadded(FloatBuffer dst, int row, int len, float[] values, int length) {
    int padding = (len - length) * hidden;
    int base = row * len * hidden;
    dst.put(base, zeros, 0, padding);
    dst.put(base + padding, values, 0, length * hidden);
  }

  /** Reads one row's real positions back out of the [batch, len, hidden] output. */
  private void getUnpadded(int row, int len, float[] values, int length) {
    out.get(((row * len) + len - length) * hidden, values, 0, length * hidden);
  }

  private void fillMaskAndPositions(List<Sequence> rows, int len) {
    int b = rows.size();
    int cells = b * len;
    if (ids.capacity() < cells) {
      int grown = Math.max(cells, ids.capacity() * 2);
      ids = longs(grown);
      mask = longs(grown);
      positions = longs(grown);
    }
    ensureOut(cells * (long) Math.max(hidden, vocab));
    for (int r = 0; r < b; r++) {
      int padding = len - rows.get(r).length;
      int base = r * len;
      for (int j = 0; j < len; j++) {
        boolean real = j >= padding;
        mask.put(base + j, real ? 1L : 0L);
        positions.put(base + j, real ? j - padding : 0L);
      }
    }
  }

  private void ensureFloats(int n) {
    if (embedded.capacity() < n) {
      int grown = Math.max(n, embedded.capacity() * 2);
      embedded = floats(grown);
      state = floats(grown);
    }
    if (zeros.length < n) {
      zeros = new float[Math.max(n, zeros.length * 2)];
    }
  }

  private void ensureOut(long n) {
    if (out.capacity() < n) {
      out = floats((int) Math.max(n, out.capacity() * 2L));
    }
  }

  private static int maxLength(List<Sequence> rows) {
    int len = 0;
    for (Sequence row : rows) {
      len = Math.max(len, row.length);
    }
    return len;
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
