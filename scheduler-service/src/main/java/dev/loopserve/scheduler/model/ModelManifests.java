package dev.loopserve.scheduler.model;

import dev.loopserve.policy.ModelProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The policy profile (recurrence range [min, default, max] and default exit thresholds) of every
 * model package under a directory, read once at start-up from {@code <dir>/<name>/model.json}.
 */
public final class ModelManifests {

  private static final Logger log = LoggerFactory.getLogger(ModelManifests.class);

  /**
   * Prelude plus coda cost about one core step per token for the demo model's layer counts; every
   * request is priced at its {@code maxTokens} unless a typical token count is configured.
   */
  private static final double OVERHEAD_STEPS_PER_TOKEN = 1.0;

  private final Map<String, ModelProfile> profiles;

  public ModelManifests(Map<String, ModelProfile> profiles) {
    this.profiles = Map.copyOf(profiles);
  }

  public static ModelManifests of(ModelProfile... profiles) {
    Map<String, ModelProfile> byName = new TreeMap<>();
    for (ModelProfile p : profiles) {
      byName.put(p.model(), p);
    }
    return new ModelManifests(byName);
  }

  public Optional<ModelProfile> find(String model) {
    return Optional.ofNullable(profiles.get(model));
  }

  /** Models with a package here, sorted. */
  public Set<String> names() {
    return new TreeSet<>(profiles.keySet());
  }

  /** Reads every package's manifest, pricing requests at their maxTokens. */
  public static ModelManifests read(Path modelsDir) {
    return read(modelsDir, 0);
  }

  /**
   * Reads every package's manifest; empty when the directory is missing.
   *
   * @param typicalTokens tokens a request is priced at (at most its maxTokens); 0: maxTokens
   */
  public static ModelManifests read(Path modelsDir, int typicalTokens) {
    Map<String, ModelProfile> profiles = new TreeMap<>();
    if (!Files.isDirectory(modelsDir)) {
      log.warn(
          "Models directory {} does not exist; fallback ranges apply", modelsDir.toAbsolutePath());
      return new ModelManifests(profiles);
    }
    JsonMapper json = JsonMapper.builder().build();
    try (Stream<Path> dirs = Files.list(modelsDir)) {
      for (Path manifest :
          dirs.map(d -> d.resolve("model.json")).filter(Files::isRegularFile).sorted().toList()) {
        ModelProfile p = profile(json.readTree(manifest.toFile()), typicalTokens);
        profiles.put(p.model(), p);
        log.info(
            "Model {}: recurrence {}..{} (default {}), exit {}",
            p.model(),
            p.recurrence().min(),
            p.recurrence().max(),
            p.recurrence().defaultSteps(),
            p.exit());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read model packages under " + modelsDir, e);
    }
    return new ModelManifests(profiles);
  }

  static ModelProfile profile(JsonNode root, int typicalTokens) {
    JsonNode r = root.required("recurrence");
    JsonNode exit = root.path("exit");
    return ModelProfile.builder(root.required("name").asString())
        .recurrence(
            r.required("min").asInt(), r.required("default").asInt(), r.required("max").asInt())
        .exit(exit.path("state_delta").asDouble(0.0), exit.path("kl").asDouble(0.0))
        .cost(OVERHEAD_STEPS_PER_TOKEN, typicalTokens)
        .build();
  }
}
