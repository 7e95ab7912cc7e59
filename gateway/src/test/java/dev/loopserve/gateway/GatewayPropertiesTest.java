package dev.loopserve.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class GatewayPropertiesTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(GatewayProperties.class)
  static class Config {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(Config.class);

  @Test
  void retentionHasDefaultsAndCanBeSet() {
    runner.run(
        context -> {
          GatewayProperties.Retention retention =
              context.getBean(GatewayProperties.class).retention();
          assertThat(retention.maxFinished()).isEqualTo(100_000);
          assertThat(retention.maxAge()).isEqualTo(Duration.ofHours(1));
        });
    runner
        .withPropertyValues(
            "loopserve.gateway.retention.max-finished=5", "loopserve.gateway.retention.max-age=2m")
        .run(
            context ->
                assertThat(context.getBean(GatewayProperties.class).retention())
                    .isEqualTo(new GatewayProperties.Retention(5, Duration.ofMinutes(2))));
  }

  @Test
  void openAiTimeoutsHaveDefaultsAndMustBePositive() {
    runner.run(
        context -> {
          GatewayProperties properties = context.getBean(GatewayProperties.class);
          assertThat(properties.completionTimeout()).isEqualTo(Duration.ofSeconds(60));
          assertThat(properties.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(10));
        });
    runner
        .withPropertyValues("loopserve.gateway.completion-timeout=0s")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .hasStackTraceContaining("completionTimeout"));
  }

  @Test
  void aRetentionThatKeepsNothingFailsTheStart() {
    runner
        .withPropertyValues("loopserve.gateway.retention.max-finished=0")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .hasStackTraceContaining("retention.maxFinished"));
  }
}
