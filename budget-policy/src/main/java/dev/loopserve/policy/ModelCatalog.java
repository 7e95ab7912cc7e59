package dev.loopserve.policy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Where the policy finds a model's profile; the scheduler backs it with the loaded manifests. */
@FunctionalInterface
public interface ModelCatalog {

  Optional<ModelProfile> find(String model);

  /** The profile, or {@link UnknownModelException}. */
  default ModelProfile require(String model) {
    return find(model).orElseThrow(() -> new UnknownModelException(model));
  }

  /** A fixed catalog. */
  static ModelCatalog of(ModelProfile... profiles) {
    Map<String, ModelProfile> byName = new LinkedHashMap<>();
    for (ModelProfile p : profiles) {
      if (byName.put(p.model(), p) != null) {
        throw new IllegalArgumentException("duplicate profile for " + p.model());
      }
    }
    Map<String, ModelProfile> frozen = Map.copyOf(byName);
    return model -> Optional.ofNullable(frozen.get(model));
  }
}
