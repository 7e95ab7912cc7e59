package dev.loopserve.gateway.security;

import java.util.Objects;

/**
 * Who is calling, as established from the request's credentials: the tenant whose prompts the
 * caller may submit, see and cancel, and the limits its key grants. Controllers take it as a method
 * parameter; {@link CallerArgumentResolver} supplies it.
 *
 * @param tenant the tenant recorded on every prompt the caller submits
 * @param keyId a non-secret name of the API key used, for logs and metrics; never the key itself
 * @param admin whether the credential may use admin routes
 * @param limits what the caller's key allows; rate limits are enforced before the controller runs,
 *     in-flight and prompt-size limits where prompts are submitted
 */
public record Caller(String tenant, String keyId, boolean admin, Limits limits) {

  /** Request attribute under which authentication leaves the {@link Caller}. */
  public static final String ATTRIBUTE = Caller.class.getName();

  public Caller {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(limits, "limits");
  }

  /** A caller without limits, for tests and tools that act for a tenant directly. */
  public Caller(String tenant, String keyId, boolean admin) {
    this(tenant, keyId, admin, Limits.UNLIMITED);
  }
}
