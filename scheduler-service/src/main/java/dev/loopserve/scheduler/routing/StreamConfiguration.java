package dev.loopserve.scheduler.routing;

import dev.loopserve.messages.DeadLetterSink;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.MessageReader;
import dev.loopserve.messages.Topics;
import dev.loopserve.messages.WorkerHeartbeat;
import dev.loopserve.scheduler.SchedulerProperties;
import dev.loopserve.scheduler.budget.BudgetPolicy;
import dev.loopserve.scheduler.budget.LoadTracker;
import dev.loopserve.scheduler.budget.ProportionalShedPolicy;
import dev.loopserve.scheduler.model.ModelLimitsCatalog;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeTypeUtils;

/** The stream bindings (see application.yml) and the plain objects behind them. */
@Configuration(proxyBeanMethods = false)
class StreamConfiguration {

  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  ModelLimitsCatalog modelLimitsCatalog(SchedulerProperties properties) {
    return ModelLimitsCatalog.read(properties.modelsDir());
  }

  @Bean
  @ConditionalOnMissingBean
  BudgetPolicy budgetPolicy(SchedulerProperties properties) {
    return new ProportionalShedPolicy(properties.shedAtOutstanding());
  }

  @Bean
  LoadTracker loadTracker(Clock clock, SchedulerProperties properties) {
    return new LoadTracker(clock, properties.outstandingTtl(), Duration.ofSeconds(30));
  }

  /** To loopserve.status through the status-out-0 binding (asynchronous, see application.yml). */
  @Bean
  StatusPublisher statusPublisher(StreamBridge bridge, MessageCodec codec) {
    return update ->
        bridge.send(
            "status-out-0",
            MessageBuilder.withPayload(codec.write(update))
                .setHeader(KafkaHeaders.KEY, update.requestId())
                .setHeader(MessageHeaders.CONTENT_TYPE, MimeTypeUtils.APPLICATION_JSON_VALUE)
                .build());
  }

  @Bean
  PromptRouter promptRouter(
      MessageCodec codec,
      BudgetPolicy policy,
      LoadTracker tracker,
      ModelLimitsCatalog models,
      StatusPublisher status,
      Clock clock) {
    return new PromptRouter(codec, policy, tracker, models, status, clock);
  }

  /** loopserve.prompts → loopserve.requests.&lt;model&gt; (or loopserve.dlq). */
  @Bean
  Function<Message<byte[]>, Message<byte[]>> schedule(PromptRouter router) {
    return router::route;
  }

  /** loopserve.results → fewer outstanding requests. */
  @Bean
  Consumer<Message<byte[]>> trackResults(
      LoadTracker tracker, MessageCodec codec, DeadLetterSink deadLetters, Clock clock) {
    var reader = new MessageReader<>(codec, InferenceResult.class, deadLetters, clock::millis);
    return in -> read(reader, in, Topics.RESULTS).ifPresent(tracker::finished);
  }

  /** loopserve.heartbeats → worker count and step time per model. */
  @Bean
  Consumer<Message<byte[]>> trackHeartbeats(
      LoadTracker tracker, MessageCodec codec, DeadLetterSink deadLetters, Clock clock) {
    var reader = new MessageReader<>(codec, WorkerHeartbeat.class, deadLetters, clock::millis);
    return in -> read(reader, in, Topics.HEARTBEATS).ifPresent(tracker::heartbeat);
  }

  private static <T> java.util.Optional<T> read(
      MessageReader<T> reader, Message<byte[]> in, String topic) {
    if (in.getPayload() == null || in.getPayload().length == 0) {
      return java.util.Optional.empty(); // tombstone on a compacted topic
    }
    RecordOrigin o = RecordOrigin.of(in.getHeaders(), topic);
    return reader.read(o.topic(), o.partition(), o.offset(), o.key(), in.getPayload());
  }
}
