package dev.loopserve.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.gateway.GatewayProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class SecurityConfigurationTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({GatewayProperties.class, AuthProperties.class})
  static class Config {
    @Bean
    Clock clock() {
      return Clock.systemUTC();
    }
  }

  @TempDir Path dir;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withUserConfiguration(Config.class, SecurityConfiguration.class);

  @Test
  void withoutKeysAuthenticationIsOff() {
    runner.run(context -> assertThat(context.getBean(ApiKeys.class).isEmpty()).isTrue());
  }

  @Test
  void inlineKeysBindWithTheirOverrides() {
    runner
        .withPropertyValues(
            "loopserve.gateway.auth.keys.ci.sha256=" + "c".repeat(64),
            "loopserve.gateway.auth.keys.ci.tenant=acme",
            "loopserve.gateway.auth.keys.ci.max-in-flight=3",
            "loopserve.gateway.auth.limits.burst=7")
        .run(
            context ->
                assertThat(context.getBean(ApiKeys.class).all())
                    .containsExactly(new ApiKey("ci", "acme", false, new Limits(20, 7, 3, 32768))));
  }

  @Test
  void aBadKeyFileStopsTheStartWithAReportThatNamesIt() throws IOException {
    Files.writeString(dir.resolve("acme"), "sha256=abc\ntenant=acme\n");
    runner
        .withPropertyValues("loopserve.gateway.auth.keys-dir=" + dir)
        .run(
            context -> {
              assertThat(context).hasFailed();
              Throwable failure = context.getStartupFailure();
              assertThat(failure).rootCause().isInstanceOf(InvalidApiKeysException.class);
              FailureAnalysis analysis = new InvalidApiKeysFailureAnalyzer().analyze(failure);
              assertThat(analysis.getDescription())
                  .contains("Key 'acme': sha256 must be 64 hexadecimal digits");
              assertThat(analysis.getAction()).contains("loopserve.gateway.auth.keys-dir");
            });
  }

  @Test
  void aMissingKeysDirectoryStopsTheStartUnlessAuthenticationIsDisabled() {
    String missing = "loopserve.gateway.auth.keys-dir=" + dir.resolve("absent");
    runner
        .withPropertyValues(missing)
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("is not a readable directory"));
    runner
        .withPropertyValues(missing, "loopserve.gateway.auth.enabled=false")
        .run(context -> assertThat(context.getBean(ApiKeys.class).isEmpty()).isTrue());
  }
}
