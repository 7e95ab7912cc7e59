package dev.loopserve.scheduler.routing;

import dev.loopserve.messages.DeadLetterSink;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.MessageReader;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.Topics;
import dev.loopserve.messages.WorkerHeartbeat;
import dev.loopserve.scheduler.Periodic;
import dev.loopserve.scheduler.SchedulerProperties;
import dev.loopserve.scheduler.budget.AdaptiveBudgetPolicy;
import dev.loopserve.scheduler.budget.BudgetPolicy;
import dev.loopserve.scheduler.lag.ConsumerLagReader;
import dev.loopserve.scheduler.lag.LagPoller;
import dev.loopserve.scheduler.recovery.RecoveryLifecycle;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
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

  /** For the inference groups' lag and start-up recovery; it connects on first use. */
  @Bean(destroyMethod = "close")
  Admin schedulerAdmin(KafkaProperties kafka) {
    Map<String, Object> props = new HashMap<>(kafka.buildAdminProperties());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    return Admin.create(props);
  }

  @Bean
  Periodic consumerLagPoller(
      Admin schedulerAdmin, AdaptiveBudgetPolicy policy, SchedulerProperties properties) {
    ConsumerLagReader reader = new ConsumerLagReader(schedulerAdmin, Duration.ofSeconds(5));
    return new Periodic(
        "consumer-lag", new LagPoller(() -> reader, policy), properties.lagInterval());
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

  /** Needs the recovered state: no prompt is budgeted before overrides and work are read back. */
  @Bean
  PromptRouter promptRouter(
      MessageCodec codec,
      BudgetPolicy policy,
      StatusPublisher status,
      Clock clock,
      RecoveryLifecycle recovery) {
    return new PromptRouter(codec, policy, status, clock);
  }

  /** loopserve.prompts → loopserve.requests.&lt;model&gt; (or loopserve.dlq). */
  @Bean
  Function<Message<byte[]>, Message<byte[]>> schedule(PromptRouter router) {
    return router::route;
  }

  /** loopserve.results → completed work, and the error of the latency prediction. */
  @Bean
  Consumer<Message<byte[]>> trackResults(
      AdaptiveBudgetPolicy policy, MessageCodec codec, DeadLetterSink deadLetters, Clock clock) {
    var reader = new MessageReader<>(codec, InferenceResult.class, deadLetters, clock::millis);
    return in -> read(reader, in, Topics.RESULTS).ifPresent(policy::finished);
  }

  /** loopserve.heartbeats → live workers, their step times and free slots. */
  @Bean
  Consumer<Message<byte[]>> trackHeartbeats(
      AdaptiveBudgetPolicy policy, MessageCodec codec, DeadLetterSink deadLetters, Clock clock) {
    var reader = new MessageReader<>(codec, WorkerHeartbeat.class, deadLetters, clock::millis);
    return in -> read(reader, in, Topics.HEARTBEATS).ifPresent(policy::heartbeat);
  }

  /** loopserve.status (running) → work that a worker has started. */
  @Bean
  Consumer<Message<byte[]>> trackStatus(
      AdaptiveBudgetPolicy policy, MessageCodec codec, DeadLetterSink deadLetters, Clock clock) {
    var reader = new MessageReader<>(codec, StatusUpdate.class, deadLetters, clock::millis);
    return in -> read(reader, in, Topics.STATUS).ifPresent(policy::status);
  }

  private static <T> Optional<T> read(MessageReader<T> reader, Message<byte[]> in, String topic) {
    if (in.getPayload() == null || in.getPayload().length == 0) {
      return Optional.empty(); // tombstone on a compacted topic
    }
    RecordOrigin o = RecordOrigin.of(in.getHeaders(), topic);
    return reader.read(o.topic(), o.partition(), o.offset(), o.key(), in.getPayload());
  }
}
