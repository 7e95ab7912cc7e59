package dev.loopserve.scheduler.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Checks an {@code Authorization: Bearer} header against the configured token hash. */
final class AdminCredential {

  private static final String BEARER = "Bearer ";

  private final byte[] expected;

  /**
   * @param tokenSha256 hex SHA-256 of the token, or null to refuse everyone
   */
  AdminCredential(String tokenSha256) {
    this.expected = tokenSha256 == null ? null : HexFormat.of().parseHex(tokenSha256);
  }

  boolean accepts(String authorization) {
    if (expected == null
        || authorization == null
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return false;
    }
    String token = authorization.substring(BEARER.length()).trim();
    // Constant time in the token's content, so a caller cannot learn the hash byte by byte.
    return MessageDigest.isEqual(expected, sha256(token));
  }

  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
