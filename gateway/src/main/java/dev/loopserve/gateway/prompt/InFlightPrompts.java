package dev.loopserve.gateway.prompt;

import java.util.Map;

/**
 * Prompts queued or running (not yet succeeded, failed, expired or cancelled), by the tenant that
 * submitted them, as far as this replica's view has seen: prompts from other replicas count once
 * they come back from Kafka.
 */
public interface InFlightPrompts {

  int inFlight(String tenant);

  /** Tenants with prompts in flight, by name. */
  Map<String, Integer> inFlightByTenant();
}
