package dev.loopserve.gateway.security;

import java.util.Objects;

/**
 * Who is calling, as established from the request's credentials: the tenant whose prompts the
 * caller may submit, see and cancel. Controllers take it as a method parameter; {@link
 * CallerArgumentResolver} supplies it.
 *
 * @param tenant the tenant recorded on every prompt the caller submits
 * @param keyId a non-secret name of the API key used, for logs and metrics; never the key itself
 * @param admin whether the credential may use admin routes
 */
public record Caller(String tenant, String keyId, boolean admin) {

  /** Request attribute under which authentication leaves the {@link Caller}. */
  public static final String ATTRIBUTE = Caller.class.getName();

  public Caller {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(keyId, "keyId");
  }
}
