package dev.loopserve.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import dev.loopserve.inference.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Broken copies of the demo package must stop start-up with a message naming file and problem. */
class ModelPackageLoaderTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path temp;
  private Path pkg;
  private final ModelPackageLoader loader =
      new ModelPackageLoader(OrtEnvironment.getEnvironment(), new OrtOptions(1, false));

  @BeforeEach
  void copyDemo() throws IOException {
    pkg = temp.resolve("loop-demo");
    Files.createDirectories(pkg);
    try (Stream<Path> files = Files.list(TestModels.demoDir())) {
      for (Path f : files.toList()) {
        Files.copy(f, pkg.resolve(f.getFileName()));
      }
    }
  }

  @Test
  void loadsTheIntactPackage() {
    try (LoadedModel model = loader.load(pkg)) {
      assertThat(model.name()).isEqualTo("loop-demo");
      assertThat(model.tokenizer().encode("a=1;a?")[0])
          .isEqualTo(model.manifest().specialTokens().bos());
    }
  }

  @Test
  void loadAllFindsEveryPackage() {
    List<LoadedModel> models = loader.loadAll(temp);
    try {
      assertThat(models).extracting(LoadedModel::name).containsExactly("loop-demo");
    } finally {
      models.forEach(LoadedModel::close);
    }
  }

  @Test
  void emptyModelsDirFails() throws IOException {
    Path empty = Files.createDirectories(temp.resolve("empty"));
    assertThatThrownBy(() -> loader.loadAll(empty))
        .isInstanceOf(ModelPackageException.class)
        .hasMessageContaining("empty")
        .hasMessageContaining("no model package");
  }

  @Test
  void schemaViolationNamesManifestAndField() throws IOException {
    ObjectNode manifest = manifest();
    manifest.remove("hidden_size");
    ((ObjectNode) manifest.get("recurrence")).put("max", 0);
    write(manifest);

    assertThatThrownBy(() -> loader.load(pkg))
        .isInstanceOf(ModelPackageException.class)
        .hasMessageContaining(pkg.resolve("model.json").toString())
        .hasMessageContaining("hidden_size")
        .hasMessageContaining("/recurrence/max");
  }

  @Test
  void unreadableManifestFails() throws IOException {
    Files.writeString(pkg.resolve("model.json"), "{ not json");
    assertThatThrownBy(() -> loader.load(pkg))
        .hasMessageContaining("model.json")
        .hasMessageContaining("not readable JSON");
  }

  @Test
  void inconsistentRecurrenceFails() throws IOException {
    ObjectNode manifest = manifest();
    ((ObjectNode) manifest.get("recurrence")).put("default", 99);
    write(manifest);
    assertThatThrownBy(() -> loader.load(pkg)).hasMessageContaining("min <= default <= max");
  }

  @Test
  void tamperedGraphFailsItsDigest() throws IOException {
    Files.write(pkg.resolve("core.onnx"), new byte[] {0}, StandardOpenOption.APPEND);
    assertThatThrownBy(() -> loader.load(pkg))
        .isInstanceOf(ModelPackageException.class)
        .hasMessageContaining(pkg.resolve("core.onnx").toString())
        .hasMessageContaining("sha256 mismatch");
  }

  @Test
  void missingListedFileFails() throws IOException {
    Files.delete(pkg.resolve("tokenizer.json"));
    assertThatThrownBy(() -> loader.load(pkg))
        .hasMessageContaining("tokenizer.json")
        .hasMessageContaining("missing");
  }

  @Test
  void manifestInputNamesMustFollowTheContract() throws IOException {
    ObjectNode manifest = manifest();
    ArrayNode inputs = (ArrayNode) manifest.get("graphs").get("core").get("inputs");
    inputs.set(1, "s");
    write(manifest);
    assertThatThrownBy(() -> loader.load(pkg))
        .hasMessageContaining("model.json")
        .hasMessageContaining(
            "core inputs are [attention_mask, embedded, past_key.0, past_key.1, past_value.0,"
                + " past_value.1, position_ids, s]");
  }

  @Test
  void cacheLayersMustMatchTheCacheInputs() throws IOException {
    ObjectNode manifest = manifest();
    ((ObjectNode) manifest.get("graphs").get("core")).put("cache_layers", 1);
    write(manifest);
    assertThatThrownBy(() -> loader.load(pkg))
        .hasMessageContaining("model.json")
        .hasMessageContaining("past_key.1")
        .hasMessageContaining(
            "the contract needs [attention_mask, embedded, past_key.0, past_value.0,"
                + " position_ids, state]");
  }

  @Test
  void graphWhoseTensorsDifferFromTheManifestFails() throws IOException {
    // The coda graph where the prelude should be: valid ONNX, wrong signature.
    Files.copy(
        pkg.resolve("coda.onnx"),
        pkg.resolve("prelude.onnx"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    ObjectNode manifest = manifest();
    ((ObjectNode) manifest.get("files"))
        .put("prelude.onnx", ModelPackageLoader.sha256(pkg.resolve("prelude.onnx")));
    write(manifest);
    assertThatThrownBy(() -> loader.load(pkg))
        .hasMessageContaining(pkg.resolve("prelude.onnx").toString())
        .hasMessageContaining(
            "prelude inputs are [attention_mask, past_key.0, past_value.0, position_ids, state]");
  }

  @Test
  void hiddenSizeMustMatchTheGraphs() throws IOException {
    ObjectNode manifest = manifest();
    manifest.put("hidden_size", manifest.get("hidden_size").asInt() + 1);
    write(manifest);
    assertThatThrownBy(() -> loader.load(pkg))
        .hasMessageContaining("prelude.onnx")
        .hasMessageContaining("the manifest says " + (manifest.get("hidden_size").asInt()));
  }

  @Test
  void corruptGraphFailsToLoad() throws IOException {
    Files.writeString(pkg.resolve("coda.onnx"), "not a model");
    ObjectNode manifest = manifest();
    ((ObjectNode) manifest.get("files"))
        .put("coda.onnx", ModelPackageLoader.sha256(pkg.resolve("coda.onnx")));
    write(manifest);
    assertThatThrownBy(() -> loader.load(pkg))
        .hasMessageContaining("coda.onnx")
        .hasMessageContaining("ONNX Runtime cannot load it");
  }

  @Test
  void brokenTokenizerFails() throws IOException {
    Files.writeString(pkg.resolve("tokenizer.json"), "{\"model\": 3}");
    ObjectNode manifest = manifest();
    ((ObjectNode) manifest.get("files"))
        .put("tokenizer.json", ModelPackageLoader.sha256(pkg.resolve("tokenizer.json")));
    write(manifest);
    assertThatThrownBy(() -> loader.load(pkg))
        .hasMessageContaining("tokenizer.json")
        .hasMessageContaining("tokenizer does not load");
  }

  private ObjectNode manifest() throws IOException {
    return (ObjectNode) JSON.readTree(Files.readString(pkg.resolve("model.json")));
  }

  private void write(ObjectNode manifest) throws IOException {
    Files.writeString(pkg.resolve("model.json"), JSON.writeValueAsString(manifest));
  }
}
