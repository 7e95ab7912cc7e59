package dev.loopserve.gateway.prompt;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** Not ready until the replica has replayed what Kafka held when it started. */
class PromptViewsHealthIndicator implements HealthIndicator {

  private final PromptViewMaterializer materializer;

  PromptViewsHealthIndicator(PromptViewMaterializer materializer) {
    this.materializer = materializer;
  }

  @Override
  public Health health() {
    return (materializer.caughtUp() ? Health.up() : Health.outOfService())
        .withDetail("caughtUp", materializer.caughtUp())
        .build();
  }
}
