package dev.loopserve.gateway.prompt;

import dev.loopserve.gateway.GatewayProperties;
import dev.loopserve.gateway.model.ModelCatalog;
import dev.loopserve.messages.DeadLetterSink;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.MessageReader;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class PromptConfiguration {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  PromptViews promptViews(GatewayProperties properties, Clock clock) {
    GatewayProperties.Retention retention = properties.retention();
    return new PromptViews(clock, retention.maxFinished(), retention.maxAge());
  }

  @Bean
  Backlog backlog(PromptViews views, GatewayProperties properties, Clock clock) {
    Backlog backlog = new Backlog(clock, properties.backpressure().drainWindow());
    backlog.follow(views);
    return backlog;
  }

  @Bean
  SchedulerPolicies schedulerPolicies() {
    return new SchedulerPolicies();
  }

  @Bean
  PromptAdmission promptAdmission(
      ModelCatalog catalog,
      GatewayProperties properties,
      Backlog backlog,
      SchedulerPolicies policies) {
    GatewayProperties.Backpressure b = properties.backpressure();
    var policy =
        new Backpressure(
            b.maxQueued(), b.maxDegradation(), b.fallbackRetryAfter(), b.maxRetryAfter());
    return new PromptAdmission(
        catalog,
        properties.defaultMaxTokens(),
        new LoadShedding(policy, backlog, policies),
        properties.callbacks().allowedHosts());
  }

  @Bean
  CallbackListener callbackListener(
      PromptViews views,
      GatewayProperties properties,
      JsonMapper json,
      MessageCodec codec,
      Clock clock) {
    GatewayProperties.Callbacks c = properties.callbacks();
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(c.timeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    var delivery =
        new CallbackDelivery(
            views, http, json, c.timeout(), c.attempts(), c.backoff(), PromptConfiguration::sleep);
    // Every replica's view reader already dead-letters an unreadable result; once is enough.
    DeadLetterSink alreadyParked = (key, letter) -> {};
    return new CallbackListener(
        delivery, new MessageReader<>(codec, InferenceResult.class, alreadyParked, clock::millis));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Bean
  PromptPublisher promptPublisher(
      KafkaTemplate<String, byte[]> kafka, MessageCodec codec, GatewayProperties properties) {
    return new PromptPublisher(kafka, codec, properties.submitTimeout());
  }

  @Bean
  PromptSubmission promptSubmission(
      PromptAdmission admission, PromptPublisher publisher, PromptViews views, Clock clock) {
    return new PromptSubmission(admission, publisher::publish, views, clock);
  }

  @Bean
  PromptFollowers promptFollowers(PromptViews views) {
    return new PromptFollowers(views);
  }

  @Bean
  PromptCancellation promptCancellation(PromptViews views, PromptPublisher publisher, Clock clock) {
    return new PromptCancellation(views, publisher::cancel, clock);
  }

  @Bean
  PromptEventStreams promptEventStreams(
      PromptViews views, PromptFollowers followers, GatewayProperties properties) {
    return new PromptEventStreams(views, followers, properties.eventStreamTimeout());
  }

  @Bean
  PromptViewMaterializer promptViewMaterializer(
      KafkaProperties kafka,
      PromptViews views,
      SchedulerPolicies policies,
      MessageCodec codec,
      DeadLetterSink deadLetters,
      Clock clock) {
    Map<String, Object> props = new HashMap<>(kafka.buildConsumerProperties());
    // No group: this replica reads every partition itself and never commits.
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-views-" + UUID.randomUUID());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new PromptViewMaterializer(
        () -> new KafkaConsumer<>(props),
        views,
        policies,
        codec,
        deadLetters,
        clock,
        Duration.ofSeconds(2));
  }

  @Bean
  PromptViewsHealthIndicator promptViewsHealthIndicator(PromptViewMaterializer materializer) {
    return new PromptViewsHealthIndicator(materializer);
  }
}
