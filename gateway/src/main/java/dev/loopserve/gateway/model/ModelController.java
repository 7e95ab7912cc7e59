package dev.loopserve.gateway.model;

import io.swagger.v3.oas.annotations.Operation;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Lists the models that can answer now, OpenAI-style: those in this gateway's catalog with at least
 * one live inference worker. Like vLLM, a model nobody serves is left out; prompts for it are still
 * accepted and wait in its queue until a worker starts.
 */
@RestController
class ModelController {

  /**
   * One served model: OpenAI's {@code id}, {@code object}, {@code created}, {@code owned_by}, then
   * loopserve's extras.
   *
   * @param created epoch seconds since the longest-running live worker of the model was first heard
   *     by this replica
   * @param workers live inference workers serving the model
   * @param maxBatch batch rows across those workers
   * @param freeSlots free batch rows across those workers, as of their last heartbeats
   * @param minSteps least recurrences per token a request may ask for
   * @param defaultSteps recurrences per token when the request and the scheduler leave it open
   * @param maxSteps most recurrences per token a request may ask for
   */
  record ModelEntry(
      String id,
      String object,
      long created,
      String ownedBy,
      String version,
      int maxContext,
      int minSteps,
      int defaultSteps,
      int maxSteps,
      int workers,
      int maxBatch,
      int freeSlots) {}

  record ModelList(String object, List<ModelEntry> data) {}

  private final ModelCatalog catalog;
  private final LiveWorkers live;

  ModelController(ModelCatalog catalog, LiveWorkers live) {
    this.catalog = catalog;
    this.live = live;
  }

  @Operation(
      summary = "Models with a live inference worker (OpenAI list shape)",
      description =
          "Each entry has OpenAI's id, object 'model', created (epoch s, serving since) and"
              + " owned_by, plus loopserve's version, max_context, min_steps/default_steps/max_steps"
              + " (the recurrence range a request may ask for), workers, max_batch and free_slots."
              + " A model counts as live while one of its workers sent a heartbeat within"
              + " loopserve.gateway.heartbeat-timeout; catalog models without one are omitted.")
  @GetMapping("/v1/models")
  ModelList list() {
    Map<String, LiveWorkers.Model> served = live.models();
    return new ModelList(
        "list",
        catalog.all().stream()
            .filter(m -> served.containsKey(m.name()))
            .map(m -> entry(m, served.get(m.name())))
            .toList());
  }

  private static ModelEntry entry(ModelSpec m, LiveWorkers.Model w) {
    return new ModelEntry(
        m.name(),
        "model",
        w.since() / 1000,
        "loopserve",
        m.version(),
        m.maxContext(),
        m.minSteps(),
        m.defaultSteps(),
        m.maxSteps(),
        w.workers(),
        w.maxBatch(),
        w.freeSlots());
  }
}
