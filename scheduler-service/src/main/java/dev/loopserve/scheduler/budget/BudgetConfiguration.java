package dev.loopserve.scheduler.budget;

import dev.loopserve.policy.LoadTracker;
import dev.loopserve.scheduler.SchedulerProperties;
import dev.loopserve.scheduler.model.ModelManifests;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The budget policy and what feeds it. */
@Configuration(proxyBeanMethods = false)
class BudgetConfiguration {

  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  ModelManifests modelManifests(SchedulerProperties properties) {
    return ModelManifests.read(properties.modelsDir(), properties.typicalTokens());
  }

  @Bean
  LoadTracker loadTracker(Clock clock, SchedulerProperties properties) {
    return LoadTracker.builder(clock)
        .heartbeatTimeout(properties.heartbeatTimeout())
        .assignmentTimeout(properties.outstandingTtl())
        .build();
  }

  @Bean
  AdaptiveBudgetPolicy adaptiveBudgetPolicy(
      ModelManifests manifests,
      SchedulerProperties properties,
      LoadTracker tracker,
      MeterRegistry registry,
      Clock clock) {
    return new AdaptiveBudgetPolicy(
        new ModelPolicies(manifests, properties.policyConfig()),
        tracker,
        new BudgetMetrics(registry),
        clock);
  }
}
