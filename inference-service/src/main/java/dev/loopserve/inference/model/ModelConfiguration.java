package dev.loopserve.inference.model;

import ai.onnxruntime.OrtEnvironment;
import dev.loopserve.inference.InferenceProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Loads every model package at start-up; a bad package stops the application. */
@Configuration(proxyBeanMethods = false)
class ModelConfiguration {

  private static final Logger log = LoggerFactory.getLogger(ModelConfiguration.class);

  @Bean
  OrtEnvironment ortEnvironment() {
    // The process-wide environment; ONNX Runtime owns its lifetime, so it is never closed here.
    return OrtEnvironment.getEnvironment();
  }

  @Bean
  OrtOptions ortOptions(InferenceProperties properties) {
    return new OrtOptions(properties.intraOpThreads(), properties.allowSpinning());
  }

  @Bean(destroyMethod = "close")
  ModelRegistry modelRegistry(
      OrtEnvironment env, OrtOptions options, InferenceProperties properties) {
    var loader = new ModelPackageLoader(env, options);
    var registry = new ModelRegistry(loader.loadAll(properties.modelsDir()));
    for (LoadedModel model : registry.all()) {
      var m = model.manifest();
      log.info(
          "Loaded model {} {} from {}: hidden {}, vocab {}, max_context {}, recurrence {}..{} (default {}), {} ORT threads",
          m.name(),
          m.version(),
          model.dir(),
          m.hiddenSize(),
          m.vocabSize(),
          m.maxContext(),
          m.recurrence().min(),
          m.recurrence().max(),
          m.recurrence().defaultSteps(),
          options.effectiveThreads());
    }
    return registry;
  }
}
