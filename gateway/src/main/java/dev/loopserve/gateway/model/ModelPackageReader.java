package dev.loopserve.gateway.model;

import dev.loopserve.messages.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the parts of {@code models/<name>/model.json} the gateway needs. Full manifest validation
 * (schema, checksums, graphs) is the inference service's job; the gateway fails fast only on what
 * it uses.
 */
final class ModelPackageReader {

  private static final Logger log = LoggerFactory.getLogger(ModelPackageReader.class);

  private final JsonMapper json = JsonMapper.builder().build();

  /** Every package under {@code modelsDir}; empty (with a warning) when there is none. */
  List<ModelSpec> readAll(Path modelsDir) throws IOException {
    if (!Files.isDirectory(modelsDir)) {
      log.warn(
          "Models directory {} does not exist; no model is servable", modelsDir.toAbsolutePath());
      return List.of();
    }
    List<ModelSpec> specs = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(modelsDir).sorted()) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        if (Files.isRegularFile(dir.resolve("model.json"))) {
          specs.add(read(dir));
        }
      }
    }
    if (specs.isEmpty()) {
      log.warn("No model package (*/model.json) under {}", modelsDir.toAbsolutePath());
    }
    return specs;
  }

  ModelSpec read(Path packageDir) {
    Path manifest = packageDir.resolve("model.json");
    try {
      JsonNode root = json.readTree(manifest.toFile());
      String name = text(root, "name", manifest);
      if (!Topics.isValidModelName(name)) {
        throw new IllegalStateException(manifest + ": invalid model name '" + name + "'");
      }
      JsonNode recurrence = required(root, "recurrence", manifest);
      Path tokenizer = packageDir.resolve(text(root, "tokenizer", manifest));
      ModelSpec spec =
          new ModelSpec(
              name,
              root.path("version").asString("unknown"),
              required(root, "max_context", manifest).asInt(),
              required(recurrence, "min", manifest).asInt(),
              required(recurrence, "default", manifest).asInt(),
              required(recurrence, "max", manifest).asInt(),
              new HuggingFaceTokenCounter(tokenizer),
              chatTemplate(root));
      log.info(
          "Serving model {} {} (context {}, recurrence {}..{})",
          spec.name(),
          spec.version(),
          spec.maxContext(),
          spec.minSteps(),
          spec.maxSteps());
      return spec;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read model package " + packageDir, e);
    }
  }

  /**
   * The schema's {@code chat_template}: a Jinja string, or null/absent when the model has none. The
   * package contract has no other place for one (no {@code tokenizer_config.json}).
   */
  private static String chatTemplate(JsonNode root) {
    JsonNode template = root.get("chat_template");
    return template == null || !template.isString() || template.asString().isBlank()
        ? null
        : template.asString();
  }

  private static JsonNode required(JsonNode node, String field, Path manifest) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalStateException(manifest + ": missing '" + field + "'");
    }
    return value;
  }

  private static String text(JsonNode node, String field, Path manifest) {
    return required(node, field, manifest).asString();
  }
}
