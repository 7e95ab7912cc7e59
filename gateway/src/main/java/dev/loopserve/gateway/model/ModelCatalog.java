package dev.loopserve.gateway.model;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The models this gateway accepts prompts for, by name. */
public final class ModelCatalog {

  private final Map<String, ModelSpec> models;

  public ModelCatalog(Collection<ModelSpec> models) {
    Map<String, ModelSpec> byName = new TreeMap<>();
    for (ModelSpec model : models) {
      if (byName.put(model.name(), model) != null) {
        throw new IllegalArgumentException("model " + model.name() + " is defined twice");
      }
    }
    this.models = Map.copyOf(byName);
  }

  public Optional<ModelSpec> find(String name) {
    return Optional.ofNullable(name).map(models::get);
  }

  public Collection<ModelSpec> all() {
    return new TreeMap<>(models).values();
  }
}
