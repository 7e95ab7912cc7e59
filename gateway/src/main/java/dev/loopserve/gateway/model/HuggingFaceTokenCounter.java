package dev.loopserve.gateway.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Counts tokens with the model's own {@code tokenizer.json}, loaded offline, so the gateway's
 * context check matches what the inference service will feed the model.
 */
final class HuggingFaceTokenCounter implements PromptTokenCounter, AutoCloseable {

  private final HuggingFaceTokenizer tokenizer;

  HuggingFaceTokenCounter(Path tokenizerJson) throws IOException {
    this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson);
  }

  @Override
  public int count(String prompt) {
    // The package contract says encode adds <bos>; that token occupies context too.
    Encoding encoding = tokenizer.encode(prompt, true, false);
    return encoding.getIds().length;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
