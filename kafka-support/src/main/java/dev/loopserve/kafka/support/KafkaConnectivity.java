package dev.loopserve.kafka.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracks whether the Kafka cluster answers, by asking it to describe itself at a fixed interval.
 * While it does not, logs one warning per {@code downLogInterval} rather than failing, so a service
 * started before its broker keeps retrying instead of crash-looping.
 *
 * <p>The probe runs on the caller's thread ({@link #probe()}); scheduling is the owner's concern.
 */
public class KafkaConnectivity {

  private static final Logger log = LoggerFactory.getLogger(KafkaConnectivity.class);

  /** What the last probe found. {@code since} is when the current state began. */
  public record State(boolean up, Instant since, String detail, int brokers) {}

  private final Supplier<Admin> adminFactory;
  private final String bootstrapServers;
  private final Duration probeTimeout;
  private final Duration downLogInterval;
  private final Clock clock;

  private volatile State state;
  private Admin admin;
  private Instant lastDownLog = Instant.MIN;

  /**
   * @param adminFactory creates the admin client; called again after a failed probe so that a
   *     broker that comes back on a new address is found
   * @param probeTimeout how long one probe may wait for the cluster
   * @param downLogInterval minimum time between two "still unreachable" warnings
   */
  public KafkaConnectivity(
      Supplier<Admin> adminFactory,
      String bootstrapServers,
      Duration probeTimeout,
      Duration downLogInterval,
      Clock clock) {
    this.adminFactory = Objects.requireNonNull(adminFactory, "adminFactory");
    this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    this.probeTimeout = requirePositive(probeTimeout, "probeTimeout");
    this.downLogInterval = requirePositive(downLogInterval, "downLogInterval");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.state = new State(false, clock.instant(), "not probed yet", 0);
  }

  /** The state found by the last probe. */
  public State state() {
    return state;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Asks the cluster to describe itself and records the outcome; never throws. */
  public synchronized State probe() {
    State previous = state;
    Instant now = clock.instant();
    try {
      if (admin == null) {
        admin = adminFactory.get();
      }
      int brokers =
          admin
              .describeCluster()
              .nodes()
              .get(probeTimeout.toMillis(), TimeUnit.MILLISECONDS)
              .size();
      state = new State(true, previous.up() ? previous.since() : now, "reachable", brokers);
      if (!previous.up()) {
        log.info("Kafka at {} is reachable ({} broker(s))", bootstrapServers, brokers);
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      closeAdmin();
      String detail = describe(e);
      state = new State(false, previous.up() ? now : previous.since(), detail, 0);
      if (previous.up() || Duration.between(lastDownLog, now).compareTo(downLogInterval) >= 0) {
        lastDownLog = now;
        log.warn(
            "Kafka at {} unreachable for {}s ({}); readiness is DOWN, retrying",
            bootstrapServers,
            Duration.between(state.since(), now).toSeconds(),
            detail);
      }
    }
    return state;
  }

  /** Releases the admin client. */
  public synchronized void close() {
    closeAdmin();
  }

  /** Details for a health endpoint. */
  public Map<String, Object> details() {
    State s = state;
    return Map.of(
        "bootstrapServers", bootstrapServers,
        "since", s.since().toString(),
        "detail", s.detail(),
        "brokers", s.brokers());
  }

  private void closeAdmin() {
    if (admin != null) {
      admin.close(Duration.ZERO);
      admin = null;
    }
  }

  private static String describe(Exception e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static Duration requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
    return d;
  }
}
