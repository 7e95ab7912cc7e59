package dev.loopserve.inference.model;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A validated model package with one open ONNX Runtime session per graph. Sessions are safe for
 * concurrent {@code run} calls; closing is the owner's job, once, at shutdown.
 */
public final class LoadedModel implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LoadedModel.class);

  private final Path dir;
  private final ModelManifest manifest;
  private final OrtSession prelude;
  private final OrtSession core;
  private final OrtSession coda;
  private final ModelTokenizer tokenizer;

  LoadedModel(
      Path dir,
      ModelManifest manifest,
      OrtSession prelude,
      OrtSession core,
      OrtSession coda,
      ModelTokenizer tokenizer) {
    this.dir = dir;
    this.manifest = manifest;
    this.prelude = prelude;
    this.core = core;
    this.coda = coda;
    this.tokenizer = tokenizer;
  }

  public String name() {
    return manifest.name();
  }

  public Path dir() {
    return dir;
  }

  public ModelManifest manifest() {
    return manifest;
  }

  public OrtSession prelude() {
    return prelude;
  }

  public OrtSession core() {
    return core;
  }

  public OrtSession coda() {
    return coda;
  }

  public ModelTokenizer tokenizer() {
    return tokenizer;
  }

  public int hidden() {
    return manifest.hiddenSize();
  }

  public int vocab() {
    return manifest.vocabSize();
  }

  /** Attention layers whose keys and values the prelude takes and returns. */
  public int preludeCacheLayers() {
    return manifest.graphs().prelude().cacheLayers();
  }

  /** Attention layers whose keys and values each core step takes and returns. */
  public int coreCacheLayers() {
    return manifest.graphs().core().cacheLayers();
  }

  /** Attention layers whose keys and values the coda takes and returns. */
  public int codaCacheLayers() {
    return manifest.graphs().coda().cacheLayers();
  }

  @Override
  public void close() {
    for (OrtSession session : new OrtSession[] {prelude, core, coda}) {
      try {
        session.close();
      } catch (OrtException e) {
        log.warn("Closing a session of model {} failed", name(), e);
      }
    }
    tokenizer.close();
  }
}
