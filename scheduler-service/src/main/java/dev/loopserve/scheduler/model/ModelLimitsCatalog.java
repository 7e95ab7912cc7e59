package dev.loopserve.scheduler.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Recurrence limits of every model package under a directory, read once at start-up. */
public final class ModelLimitsCatalog {

  private static final Logger log = LoggerFactory.getLogger(ModelLimitsCatalog.class);

  private final Map<String, RecurrenceLimits> limits;

  public ModelLimitsCatalog(Map<String, RecurrenceLimits> limits) {
    this.limits = Map.copyOf(limits);
  }

  /** The model's limits, or {@link RecurrenceLimits#FALLBACK} when its package is not here. */
  public RecurrenceLimits limitsOf(String model) {
    return limits.getOrDefault(model, RecurrenceLimits.FALLBACK);
  }

  public boolean knows(String model) {
    return limits.containsKey(model);
  }

  /** Reads {@code <dir>/<name>/model.json} for every package; empty when the dir is missing. */
  public static ModelLimitsCatalog read(Path modelsDir) {
    Map<String, RecurrenceLimits> limits = new HashMap<>();
    if (!Files.isDirectory(modelsDir)) {
      log.warn(
          "Models directory {} does not exist; fallback limits apply", modelsDir.toAbsolutePath());
      return new ModelLimitsCatalog(limits);
    }
    JsonMapper json = JsonMapper.builder().build();
    try (Stream<Path> dirs = Files.list(modelsDir)) {
      for (Path manifest :
          dirs.map(d -> d.resolve("model.json")).filter(Files::isRegularFile).toList()) {
        JsonNode root = json.readTree(manifest.toFile());
        JsonNode r = root.required("recurrence");
        RecurrenceLimits l =
            new RecurrenceLimits(
                r.required("min").asInt(),
                r.required("default").asInt(),
                r.required("max").asInt());
        limits.put(root.required("name").asString(), l);
        log.info(
            "Model {}: recurrence {}..{} (default {})",
            root.get("name").asString(),
            l.min(),
            l.max(),
            l.defaultSteps());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read model packages under " + modelsDir, e);
    }
    return new ModelLimitsCatalog(limits);
  }
}
