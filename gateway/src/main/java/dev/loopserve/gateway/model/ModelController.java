package dev.loopserve.gateway.model;

import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Lists the servable models, OpenAI-style. */
@RestController
class ModelController {

  record ModelEntry(
      String id,
      String object,
      String version,
      int maxContext,
      int minSteps,
      int defaultSteps,
      int maxSteps) {}

  record ModelList(String object, List<ModelEntry> data) {}

  private final ModelCatalog catalog;

  ModelController(ModelCatalog catalog) {
    this.catalog = catalog;
  }

  @GetMapping("/v1/models")
  ModelList list() {
    return new ModelList(
        "list",
        catalog.all().stream()
            .map(
                m ->
                    new ModelEntry(
                        m.name(),
                        "model",
                        m.version(),
                        m.maxContext(),
                        m.minSteps(),
                        m.defaultSteps(),
                        m.maxSteps()))
            .toList());
  }
}
