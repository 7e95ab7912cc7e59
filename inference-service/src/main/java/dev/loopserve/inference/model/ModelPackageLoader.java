package dev.loopserve.inference.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a package directory into a {@link LoadedModel}, refusing anything the runtime could not
 * serve exactly: schema violations, files whose sha256 does not match the manifest, graphs whose
 * tensors differ from the contract, and a tokenizer that does not load. Every failure is a {@link
 * ModelPackageException} naming the offending file, so a bad deployment stops at start-up rather
 * than at the first request.
 */
public final class ModelPackageLoader {

  static final String MANIFEST = "model.json";

  private final OrtEnvironment env;
  private final OrtOptions ortOptions;
  private final ManifestSchema schema = ManifestSchema.load();
  private final JsonMapper json =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  public ModelPackageLoader(OrtEnvironment env, OrtOptions ortOptions) {
    this.env = env;
    this.ortOptions = ortOptions;
  }

  /** Loads every package directory (one holding a {@code model.json}) under {@code modelsDir}. */
  public List<LoadedModel> loadAll(Path modelsDir) {
    if (!Files.isDirectory(modelsDir)) {
      throw new ModelPackageException(modelsDir.toAbsolutePath(), "models directory not found");
    }
    List<Path> dirs;
    try (var entries = Files.list(modelsDir)) {
      dirs = entries.filter(p -> Files.isRegularFile(p.resolve(MANIFEST))).sorted().toList();
    } catch (IOException e) {
      throw new ModelPackageException(modelsDir, "cannot list: " + e.getMessage(), e);
    }
    if (dirs.isEmpty()) {
      throw new ModelPackageException(
          modelsDir.toAbsolutePath(), "no model package (no */" + MANIFEST + ")");
    }
    List<LoadedModel> loaded = new ArrayList<>();
    try {
      for (Path dir : dirs) {
        LoadedModel model = load(dir);
        if (loaded.stream().anyMatch(m -> m.name().equals(model.name()))) {
          model.close();
          throw new ModelPackageException(
              dir.resolve(MANIFEST), "duplicate model name " + model.name());
        }
        loaded.add(model);
      }
      return List.copyOf(loaded);
    } catch (RuntimeException e) {
      loaded.forEach(LoadedModel::close);
      throw e;
    }
  }

  /** Loads and checks one package directory. */
  public LoadedModel load(Path dir) {
    ModelManifest manifest = readManifest(dir.resolve(MANIFEST));
    checkConsistency(dir, manifest);
    checkDigests(dir, manifest);
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      OrtSession prelude =
          open(dir, manifest, manifest.graphs().prelude(), GraphContract::prelude, opened);
      OrtSession core = open(dir, manifest, manifest.graphs().core(), GraphContract::core, opened);
      OrtSession coda = open(dir, manifest, manifest.graphs().coda(), GraphContract::coda, opened);
      ModelTokenizer tokenizer = loadTokenizer(dir, manifest);
      return new LoadedModel(dir, manifest, prelude, core, coda, tokenizer);
    } catch (RuntimeException e) {
      for (AutoCloseable c : opened) {
        try {
          c.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private ModelManifest readManifest(Path file) {
    JsonNode tree;
    try {
      tree = json.readTree(Files.readString(file));
    } catch (IOException | JacksonException e) {
      throw new ModelPackageException(file, "not readable JSON: " + e.getMessage(), e);
    }
    List<String> violations = schema.violations(tree);
    if (!violations.isEmpty()) {
      throw new ModelPackageException(
          file, "does not match model-package.schema.json: " + String.join("; ", violations));
    }
    return json.treeToValue(tree, ModelManifest.class);
  }

  /** What the schema cannot say: relations between fields. */
  private static void checkConsistency(Path dir, ModelManifest m) {
    Path file = dir.resolve(MANIFEST);
    var r = m.recurrence();
    if (!(r.min() <= r.defaultSteps() && r.defaultSteps() <= r.max())) {
      throw new ModelPackageException(
          file,
          "recurrence needs min <= default <= max, got "
              + r.min()
              + "/"
              + r.defaultSteps()
              + "/"
              + r.max());
    }
    var t = m.specialTokens();
    for (int id : new int[] {t.pad(), t.bos(), t.eos()}) {
      if (id >= m.vocabSize()) {
        throw new ModelPackageException(
            file, "special token id " + id + " >= vocab_size " + m.vocabSize());
      }
    }
    if (!dir.getFileName().toString().equals(m.name())) {
      // Not fatal for serving, but topic names come from the manifest: say which one wins.
      org.slf4j.LoggerFactory.getLogger(ModelPackageLoader.class)
          .info("Package directory {} serves model name '{}' from its manifest", dir, m.name());
    }
    List<String> needed = new ArrayList<>();
    needed.add(m.graphs().prelude().file());
    needed.add(m.graphs().core().file());
    needed.add(m.graphs().coda().file());
    needed.add(m.tokenizer());
    for (String rel : needed) {
      if (!m.files().containsKey(rel)) {
        throw new ModelPackageException(file, "files has no sha256 for " + rel);
      }
    }
  }

  private static void checkDigests(Path dir, ModelManifest m) {
    for (Map.Entry<String, String> entry : m.files().entrySet()) {
      Path file = dir.resolve(entry.getKey()).normalize();
      if (!file.startsWith(dir.normalize())) {
        throw new ModelPackageException(
            dir.resolve(MANIFEST), "files entry escapes the package: " + entry.getKey());
      }
      if (!Files.isRegularFile(file)) {
        throw new ModelPackageException(file, "listed in " + MANIFEST + " but missing");
      }
      String actual = sha256(file);
      if (!actual.equals(entry.getValue())) {
        throw new ModelPackageException(
            file, "sha256 mismatch: manifest says " + entry.getValue() + ", file is " + actual);
      }
    }
  }

  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new ModelPackageException(file, "cannot read: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private OrtSession open(
      Path dir,
      ModelManifest m,
      ModelManifest.Graph graph,
      IntFunction<GraphContract> contractFor,
      List<AutoCloseable> opened) {
    Path file = dir.resolve(graph.file());
    GraphContract contract = contractFor.apply(graph.cacheLayers());
    requireNames(
        dir.resolve(MANIFEST), contract, "inputs", graph.inputs(), contract.sortedInputs());
    requireNames(
        dir.resolve(MANIFEST), contract, "outputs", graph.outputs(), contract.sortedOutputs());
    OrtSession session;
    try (OrtSession.SessionOptions options = ortOptions.toSessionOptions()) {
      session = env.createSession(file.toString(), options);
    } catch (OrtException e) {
      throw new ModelPackageException(file, "ONNX Runtime cannot load it: " + e.getMessage(), e);
    }
    opened.add(session);
    try {
      requireNames(file, contract, "inputs", List.copyOf(session.getInputNames()), graph.inputs());
      requireNames(
          file, contract, "outputs", List.copyOf(session.getOutputNames()), graph.outputs());
      checkTensors(file, m, contract.inputs, session.getInputInfo());
      checkTensors(file, m, contract.outputs, session.getOutputInfo());
    } catch (OrtException e) {
      throw new ModelPackageException(file, "cannot read graph signature: " + e.getMessage(), e);
    }
    return session;
  }

  private static void requireNames(
      Path file, GraphContract contract, String what, List<String> actual, List<String> expected) {
    Set<String> a = new TreeSet<>(actual);
    Set<String> e = new TreeSet<>(expected);
    if (!a.equals(e) || a.size() != actual.size()) {
      throw new ModelPackageException(
          file, contract.label() + " " + what + " are " + a + ", the contract needs " + e);
    }
  }

  private static void checkTensors(
      Path file,
      ModelManifest m,
      Map<String, GraphContract.Tensor> expected,
      Map<String, NodeInfo> actual) {
    for (var entry : expected.entrySet()) {
      String name = entry.getKey();
      GraphContract.Tensor want = entry.getValue();
      if (!(actual.get(name).getInfo() instanceof TensorInfo info)) {
        throw new ModelPackageException(file, name + " is not a tensor");
      }
      long[] shape = info.getShape();
      if (info.type != want.type() || shape.length != want.rank()) {
        throw new ModelPackageException(
            file,
            name
                + " is "
                + info.type
                + " rank "
                + shape.length
                + ", the contract needs "
                + want.type()
                + " rank "
                + want.rank());
      }
      long width =
          switch (want.width()) {
            case NONE -> -1;
            case HIDDEN -> m.hiddenSize();
            case VOCAB -> m.vocabSize();
          };
      if (width > 0 && shape[2] > 0 && shape[2] != width) {
        throw new ModelPackageException(
            file, name + " last axis is " + shape[2] + ", the manifest says " + width);
      }
    }
  }

  private static ModelTokenizer loadTokenizer(Path dir, ModelManifest m) {
    Path file = dir.resolve(m.tokenizer());
    ModelTokenizer tokenizer;
    try {
      tokenizer = ModelTokenizer.load(file, m.specialTokens().bos());
    } catch (IOException | RuntimeException e) {
      throw new ModelPackageException(file, "tokenizer does not load: " + e.getMessage(), e);
    }
    long[] probe = tokenizer.encode("a");
    for (long id : probe) {
      if (id < 0 || id >= m.vocabSize()) {
        tokenizer.close();
        throw new ModelPackageException(
            file, "produces id " + id + " outside vocab_size " + m.vocabSize());
      }
    }
    return tokenizer;
  }
}
