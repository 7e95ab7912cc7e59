package dev.loopserve.scheduler.policy;

import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The operator credential for policy overrides ({@code loopserve.scheduler.admin.*}).
 *
 * @param tokenSha256 hex SHA-256 of the bearer token that may change the policy; only the hash is
 *     configured, so the token itself is not in config maps or environment dumps. Unset: nobody may
 *     (every override is refused with 401).
 */
@Validated
@ConfigurationProperties("loopserve.scheduler.admin")
public record AdminProperties(@Pattern(regexp = "^[0-9a-fA-F]{64}$") String tokenSha256) {}
