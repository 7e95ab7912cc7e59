package dev.loopserve.inference.serving;

import ai.onnxruntime.OrtEnvironment;
import dev.loopserve.inference.InferenceProperties;
import dev.loopserve.inference.model.LoadedModel;
import dev.loopserve.inference.model.ModelRegistry;
import dev.loopserve.inference.runtime.EngineStats;
import dev.loopserve.inference.runtime.InferenceEngine;
import dev.loopserve.messages.InferenceRequest;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.MessageReader;
import dev.loopserve.messages.Topics;
import dev.loopserve.messages.WorkerHeartbeat;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts, for every loaded model, an engine and the consumer that feeds it, plus the shared results
 * reader and heartbeats; stops them in the reverse order so that in-flight requests are finished or
 * handed back before sessions close.
 */
final class ModelWorkers implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(ModelWorkers.class);

  private final ModelRegistry models;
  private final OrtEnvironment env;
  private final InferenceProperties properties;
  private final KafkaClients clients;
  private final KafkaPublisher publisher;
  private final MessageCodec codec;
  private final AnsweredRequests answered;
  private final Cancellations cancellations;
  private final Function<LoadedModel, InferenceEngine> engines;
  private final Clock clock;
  private final String workerId;

  private final List<Worker> workers = new ArrayList<>();
  private ResultsTail resultsTail;
  private Thread resultsThread;
  private ScheduledExecutorService scheduler;
  private ScheduledExecutorService retries;
  private volatile boolean running;

  private record Worker(
      LoadedModel model, InferenceEngine engine, RequestConsumer consumer, Thread thread) {}

  ModelWorkers(
      ModelRegistry models,
      OrtEnvironment env,
      InferenceProperties properties,
      KafkaClients clients,
      KafkaPublisher publisher,
      MessageCodec codec,
      AnsweredRequests answered,
      Cancellations cancellations,
      Function<LoadedModel, InferenceEngine> engines,
      Clock clock) {
    this.models = models;
    this.env = env;
    this.properties = properties;
    this.clients = clients;
    this.publisher = publisher;
    this.codec = codec;
    this.answered = answered;
    this.cancellations = cancellations;
    this.engines = engines;
    this.clock = clock;
    this.workerId = properties.resolvedWorkerId();
  }

  @Override
  public synchronized void start() {
    scheduler = Executors.newScheduledThreadPool(1, daemon("inference-scheduler"));
    retries = Executors.newSingleThreadScheduledExecutor(daemon("result-retries"));
    resultsTail =
        new ResultsTail(
            new KafkaConsumer<>(clients.consumer(workerId + "-results", null, 2000)), answered);
    resultsThread = new Thread(resultsTail, "results-tail");
    resultsThread.setDaemon(true);
    resultsThread.start();

    var reader = new MessageReader<>(codec, InferenceRequest.class, publisher, clock::millis);
    var results = new ResultFactory(workerId);
    for (LoadedModel model : models.all()) {
      InferenceEngine engine = engines.apply(model);
      var consumer =
          new RequestConsumer(
              model,
              engine,
              new KafkaConsumer<>(
                  clients.consumer(
                      workerId + "-" + model.name(),
                      Topics.inferenceGroup(model.name()),
                      properties.maxQueued())),
              publisher,
              reader,
              answered,
              cancellations,
              results,
              resultsTail,
              retries,
              clock,
              workerId,
              properties.maxQueued(),
              properties.handoffTimeout());
      Thread thread = new Thread(consumer, "requests-" + model.name());
      thread.start();
      workers.add(new Worker(model, engine, consumer, thread));
    }
    long interval = properties.heartbeatInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::heartbeat, interval, interval, TimeUnit.MILLISECONDS);
    running = true;
  }

  private void heartbeat() {
    for (Worker worker : workers) {
      EngineStats stats = worker.engine.stats();
      publisher.sendQuietly(
          Topics.HEARTBEATS,
          workerId,
          new WorkerHeartbeat(
              workerId,
              worker.model.name(),
              clock.millis(),
              stats.secondsPerStep(),
              stats.running(),
              stats.maxBatch(),
              stats.freeSlots(),
              stats.queued()));
    }
  }

  @Override
  public synchronized void stop() {
    running = false;
    workers.forEach(w -> w.consumer.stop());
    long wait = properties.handoffTimeout().toMillis() + 10_000;
    for (Worker worker : workers) {
      try {
        worker.thread.join(wait);
        worker.engine.shutdown(0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    workers.clear();
    if (resultsTail != null) {
      resultsTail.stop();
      try {
        resultsThread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    scheduler.shutdownNow();
    retries.shutdownNow();
    log.info("Inference workers stopped");
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  List<EngineStats> stats() {
    return workers.stream().map(w -> w.engine.stats()).toList();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
