package dev.loopserve.inference.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The models this worker serves, loaded once at start-up and closed at shutdown. */
public final class ModelRegistry implements AutoCloseable {

  private final Map<String, LoadedModel> models = new LinkedHashMap<>();

  public ModelRegistry(List<LoadedModel> loaded) {
    loaded.forEach(m -> models.put(m.name(), m));
  }

  public List<LoadedModel> all() {
    return List.copyOf(models.values());
  }

  public Optional<LoadedModel> find(String name) {
    return Optional.ofNullable(models.get(name));
  }

  @Override
  public void close() {
    models.values().forEach(LoadedModel::close);
  }
}
