package dev.loopserve.scheduler.policy;

import dev.loopserve.messages.MessageCodec;
import dev.loopserve.scheduler.Periodic;
import dev.loopserve.scheduler.SchedulerProperties;
import dev.loopserve.scheduler.budget.AdaptiveBudgetPolicy;
import dev.loopserve.scheduler.recovery.RecoveryLifecycle;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeTypeUtils;

/** The policy API and the policy topic. */
@Configuration(proxyBeanMethods = false)
class PolicyConfiguration {

  /** To loopserve.policy through the policy-out-0 binding, keyed by model (compaction key). */
  @Bean
  PolicyPublisher policyPublisher(StreamBridge bridge, MessageCodec codec) {
    return snapshot ->
        bridge.send(
            "policy-out-0",
            MessageBuilder.withPayload(codec.write(snapshot))
                .setHeader(KafkaHeaders.KEY, snapshot.model())
                .setHeader(MessageHeaders.CONTENT_TYPE, MimeTypeUtils.APPLICATION_JSON_VALUE)
                .build());
  }

  @Bean
  PolicyService policyService(
      AdaptiveBudgetPolicy policy, PolicyPublisher publisher, RecoveryLifecycle recovery) {
    return new PolicyService(policy, publisher, recovery);
  }

  @Bean
  Periodic policyRepublisher(PolicyService service, SchedulerProperties properties) {
    return new Periodic("policy-publisher", service::publishAll, properties.policyInterval());
  }
}
