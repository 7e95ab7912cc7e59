package dev.loopserve.kafka.support;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** Reports the last connectivity probe; never blocks on the network. */
public class KafkaConnectivityHealthIndicator implements HealthIndicator {

  private final KafkaConnectivity connectivity;

  public KafkaConnectivityHealthIndicator(KafkaConnectivity connectivity) {
    this.connectivity = connectivity;
  }

  @Override
  public Health health() {
    Health.Builder builder = connectivity.state().up() ? Health.up() : Health.down();
    return builder.withDetails(connectivity.details()).build();
  }
}
