package dev.loopserve.inference.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The package's Hugging Face tokenizer. {@link #encode} always starts with {@code <bos>}: the
 * contract says the tokenizer adds it, and a tokenizer that does not is fixed up here rather than
 * silently feeding the model a prompt shape it never saw.
 */
public final class ModelTokenizer implements AutoCloseable {

  private final HuggingFaceTokenizer tokenizer;
  private final int bos;

  private ModelTokenizer(HuggingFaceTokenizer tokenizer, int bos) {
    this.tokenizer = tokenizer;
    this.bos = bos;
  }

  static ModelTokenizer load(Path file, int bos) throws IOException {
    // Offline on purpose: the package is the only source of truth for the vocabulary.
    var options = Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");
    return new ModelTokenizer(HuggingFaceTokenizer.newInstance(file, options), bos);
  }

  /** Token ids of {@code text}, beginning with {@code <bos>}. */
  public long[] encode(String text) {
    long[] ids = tokenizer.encode(text, true, false).getIds();
    if (ids.length > 0 && ids[0] == bos) {
      return ids;
    }
    long[] withBos = new long[ids.length + 1];
    withBos[0] = bos;
    System.arraycopy(ids, 0, withBos, 1, ids.length);
    return withBos;
  }

  /** Text of generated ids, special tokens dropped. */
  public String decode(long[] ids) {
    return ids.length == 0 ? "" : tokenizer.decode(ids, true);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
