package dev.loopserve.inference.serving;

import ai.onnxruntime.OrtEnvironment;
import dev.loopserve.inference.InferenceProperties;
import dev.loopserve.inference.model.LoadedModel;
import dev.loopserve.inference.model.ModelRegistry;
import dev.loopserve.inference.runtime.BatchEngine;
import dev.loopserve.inference.runtime.EngineMetrics;
import dev.loopserve.inference.runtime.InferenceEngine;
import dev.loopserve.inference.runtime.SerialEngine;
import dev.loopserve.messages.CancelRequest;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.MessageReader;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;

/** Kafka wiring of the worker. */
@Configuration(proxyBeanMethods = false)
class ServingConfiguration {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  KafkaClients kafkaClients(KafkaProperties kafka) {
    return new KafkaClients(kafka);
  }

  @Bean(destroyMethod = "close")
  KafkaPublisher kafkaPublisher(
      KafkaClients clients, MessageCodec codec, InferenceProperties properties) {
    return new KafkaPublisher(
        new KafkaProducer<>(clients.producer(properties.resolvedWorkerId() + "-publisher")), codec);
  }

  @Bean
  AnsweredRequests answeredRequests(InferenceProperties properties) {
    return new AnsweredRequests(properties.doneIdsCapacity());
  }

  @Bean
  Cancellations cancellationRegistry(InferenceProperties properties) {
    return new Cancellations(properties.doneIdsCapacity());
  }

  @Bean
  Function<LoadedModel, InferenceEngine> engineFactory(
      OrtEnvironment env, InferenceProperties properties, MeterRegistry registry) {
    return model -> {
      InferenceEngine engine =
          switch (properties.engine()) {
            case BATCHED ->
                BatchEngine.builder(env, model)
                    .maxBatch(properties.maxBatch())
                    .batchWait(properties.batchWait())
                    .maxCallPositions(properties.maxCallPositions())
                    .parallelism(properties.resolvedParallelism())
                    .metrics(new EngineMetrics(registry, model.name()))
                    .build();
            case SERIAL -> new SerialEngine(env, model);
          };
      Gauge.builder("loopserve.batch.size", engine, e -> e.stats().running())
          .description("Requests in the running batch")
          .tag("model", model.name())
          .register(registry);
      Gauge.builder("loopserve.queue.depth", engine, e -> e.stats().queued())
          .description("Requests submitted to the engine and not yet started")
          .tag("model", model.name())
          .register(registry);
      return engine;
    };
  }

  /** Off only for tests of the other bindings: without it the worker serves nothing. */
  @Bean
  @ConditionalOnProperty(name = "loopserve.inference.consume", matchIfMissing = true)
  ModelWorkers modelWorkers(
      ModelRegistry models,
      OrtEnvironment env,
      InferenceProperties properties,
      KafkaClients clients,
      KafkaPublisher publisher,
      MessageCodec codec,
      AnsweredRequests answered,
      Cancellations cancellations,
      Function<LoadedModel, InferenceEngine> engineFactory,
      Clock clock) {
    return new ModelWorkers(
        models,
        env,
        properties,
        clients,
        publisher,
        codec,
        answered,
        cancellations,
        engineFactory,
        clock);
  }

  @Bean
  CancellationHandler cancellationHandler(
      MessageCodec codec, KafkaPublisher publisher, Cancellations cancellations, Clock clock) {
    return new CancellationHandler(
        new MessageReader<>(codec, CancelRequest.class, publisher, clock::millis), cancellations);
  }

  /**
   * {@code loopserve.cancellations}, bound without a group so that every worker sees every
   * cancellation (see application.yml).
   */
  @Bean
  Consumer<Message<byte[]>> cancellations(CancellationHandler handler) {
    return message -> {
      var headers = message.getHeaders();
      Object key = headers.get(KafkaHeaders.RECEIVED_KEY);
      Integer partition = headers.get(KafkaHeaders.RECEIVED_PARTITION, Integer.class);
      Long offset = headers.get(KafkaHeaders.OFFSET, Long.class);
      handler.handle(
          headers.get(KafkaHeaders.RECEIVED_TOPIC, String.class),
          partition == null ? -1 : partition,
          offset == null ? -1 : offset,
          key instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : (String) key,
          message.getPayload());
    };
  }
}
