package dev.loopserve.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The configured API keys, held as SHA-256 digests: a presented key is hashed and compared with
 * every digest in constant time, so neither the keys nor timing reveal which one was close.
 */
public final class ApiKeys {

  private record Entry(byte[] sha256, ApiKey key) {}

  private final List<Entry> entries;

  private ApiKeys(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Loads the inline keys and those of the keys directory.
   *
   * @throws InvalidApiKeysException when a key is malformed, the directory is missing or empty, an
   *     id is used twice, or two ids share a hash
   */
  static ApiKeys load(AuthProperties properties) {
    Map<String, AuthProperties.Key> keys = new TreeMap<>(properties.keys());
    if (properties.keysDir() != null) {
      Map<String, AuthProperties.Key> files = ApiKeyFiles.read(properties.keysDir());
      if (files.isEmpty()) {
        throw new InvalidApiKeysException(
            "loopserve.gateway.auth.keys-dir "
                + properties.keysDir()
                + " holds no key files; add keys, or unset the setting to run without"
                + " authentication");
      }
      for (var file : files.entrySet()) {
        if (keys.putIfAbsent(file.getKey(), file.getValue()) != null) {
          throw new InvalidApiKeysException(
              "Key id '"
                  + file.getKey()
                  + "' is configured both inline (loopserve.gateway.auth.keys) and in "
                  + properties.keysDir()
                  + "; keep one");
        }
      }
    }
    return of(keys, properties.limits());
  }

  static ApiKeys none() {
    return new ApiKeys(List.of());
  }

  /**
   * @param keys key settings by id
   * @param defaults the limits of keys that do not override them
   */
  static ApiKeys of(Map<String, AuthProperties.Key> keys, Limits defaults) {
    List<Entry> entries = new ArrayList<>();
    Map<String, String> idByHash = new LinkedHashMap<>();
    for (var e : new TreeMap<>(keys).entrySet()) {
      String id = e.getKey();
      AuthProperties.Key key = e.getValue();
      if (!ApiKeyFiles.KEY_ID.matcher(id).matches()) {
        throw new InvalidApiKeysException(
            "Key id '" + id + "' may only hold letters, digits, '.', '_' and '-'");
      }
      byte[] sha256 = parseSha256(id, key.sha256());
      String other = idByHash.putIfAbsent(HexFormat.of().formatHex(sha256), id);
      if (other != null) {
        throw new InvalidApiKeysException(
            "Keys '" + other + "' and '" + id + "' have the same sha256; give each its own key");
      }
      if (key.tenant() == null || key.tenant().isBlank()) {
        throw new InvalidApiKeysException("Key '" + id + "' names no tenant");
      }
      Limits limits;
      try {
        limits = defaults.overriddenBy(key);
      } catch (IllegalArgumentException ex) {
        throw new InvalidApiKeysException("Key '" + id + "': " + ex.getMessage(), ex);
      }
      entries.add(new Entry(sha256, new ApiKey(id, key.tenant().strip(), key.admin(), limits)));
    }
    return new ApiKeys(entries);
  }

  private static byte[] parseSha256(String id, String hex) {
    String digits = hex == null ? "" : hex.strip();
    if (digits.length() != 64 || !digits.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      String hint =
          digits.endsWith("-")
              ? " (that looks like sha256sum output: keep only the digits before the spaces)"
              : " (the SHA-256 of the key, e.g. printf %s \"$KEY\" | sha256sum)";
      throw new InvalidApiKeysException(
          "Key '"
              + id
              + "': sha256 must be 64 hexadecimal digits"
              + hint
              + ", got "
              + digits.length()
              + " characters");
    }
    return HexFormat.of().parseHex(digits.toLowerCase(java.util.Locale.ROOT));
  }

  /** The key the caller presented, if it is one of these. */
  public Optional<ApiKey> find(String presented) {
    byte[] digest = sha256(presented);
    ApiKey found = null;
    // Every digest is compared, so the time taken does not depend on which key matched.
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.sha256(), digest)) {
        found = entry.key();
      }
    }
    return Optional.ofNullable(found);
  }

  /** Every key, by id. */
  public List<ApiKey> all() {
    return entries.stream().map(Entry::key).toList();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "ApiKeys" + Arrays.toString(all().stream().map(ApiKey::id).toArray());
  }
}
