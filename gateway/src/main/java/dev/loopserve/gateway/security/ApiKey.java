package dev.loopserve.gateway.security;

import java.util.Objects;

/**
 * A configured API key as the gateway acts on it, without its hash.
 *
 * @param id the key's non-secret name (its file name, or its property name when inline)
 * @param tenant the tenant it acts for
 * @param admin whether it may use {@code /admin/**} routes
 * @param limits its limits, defaults already merged with its overrides
 */
public record ApiKey(String id, String tenant, boolean admin, Limits limits) {

  public ApiKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(limits, "limits");
  }

  Caller caller() {
    return new Caller(tenant, id, admin, limits);
  }
}
