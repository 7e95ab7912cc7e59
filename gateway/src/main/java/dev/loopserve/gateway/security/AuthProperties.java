package dev.loopserve.gateway.security;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * API-key authentication and per-key limits ({@code loopserve.gateway.auth.*}). Keys are never
 * configured in clear: only the SHA-256 of each key is. With no key configured at all,
 * authentication is off and every request acts for {@code loopserve.gateway.tenant}.
 *
 * @param enabled false turns authentication off even when keys are configured (local runs)
 * @param keysDir directory with one file per key, named by the key id (see {@link ApiKeyFiles});
 *     unset means none. When set it must exist and hold at least one key, so a missing Secret fails
 *     the start instead of opening the gateway
 * @param keys keys configured inline, by key id, in the same shape as a key file
 * @param limits the limits of every key that does not override them
 */
@Validated
@ConfigurationProperties("loopserve.gateway.auth")
public record AuthProperties(
    @DefaultValue("true") boolean enabled,
    Path keysDir,
    @NotNull @DefaultValue Map<String, @Valid Key> keys,
    @Valid @NotNull @DefaultValue Limits limits) {

  /**
   * One key: its hash, its tenant, and any limits that differ from the defaults.
   *
   * @param sha256 the SHA-256 of the key, 64 hexadecimal digits ({@code printf %s "$KEY" |
   *     sha256sum})
   * @param tenant the tenant the key acts for
   * @param admin whether the key may use {@code /admin/**} routes
   * @param requestsPerSecond overrides {@link Limits#requestsPerSecond()}; null keeps the default
   * @param burst overrides {@link Limits#burst()}; null keeps the default
   * @param maxInFlight overrides {@link Limits#maxInFlight()}; null keeps the default
   * @param maxPromptChars overrides {@link Limits#maxPromptChars()}; null keeps the default
   */
  public record Key(
      @NotBlank String sha256,
      @NotBlank String tenant,
      boolean admin,
      @Positive Double requestsPerSecond,
      @Positive Integer burst,
      @Positive Integer maxInFlight,
      @Positive Integer maxPromptChars) {}
}
