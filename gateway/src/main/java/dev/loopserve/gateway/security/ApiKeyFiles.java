package dev.loopserve.gateway.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads API keys from a directory that holds one file per key, as a Kubernetes Secret mounts it.
 * The file name is the key id (letters, digits, {@code .}, {@code _}, {@code -}); names starting
 * with a dot are skipped (a Secret volume's {@code ..data} bookkeeping). Each file holds {@code
 * name=value} lines; blank lines and lines starting with {@code #} are ignored:
 *
 * <pre>
 * sha256=&lt;64 hex digits: printf %s "$KEY" | sha256sum&gt;
 * tenant=acme
 * admin=false                 # optional, default false
 * requests-per-second=5       # optional overrides of loopserve.gateway.auth.limits.*
 * burst=10
 * max-in-flight=20
 * max-prompt-chars=4000
 * </pre>
 *
 * Error messages name the file and line, never a value: a file that mistakenly holds a raw key must
 * not put it in the log.
 */
final class ApiKeyFiles {

  static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");

  private static final Set<String> NAMES =
      Set.of(
          "sha256",
          "tenant",
          "admin",
          "requests-per-second",
          "burst",
          "max-in-flight",
          "max-prompt-chars");

  private ApiKeyFiles() {}

  /**
   * @return the keys by id, in id order
   * @throws InvalidApiKeysException when the directory cannot be read or a file is malformed
   */
  static Map<String, AuthProperties.Key> read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new InvalidApiKeysException(
          "loopserve.gateway.auth.keys-dir "
              + dir
              + " is not a readable directory; mount the API-key Secret there, or unset the"
              + " setting to run without authentication");
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    } catch (IOException e) {
      throw new InvalidApiKeysException("Cannot list API-key directory " + dir, e);
    }
    Map<String, AuthProperties.Key> keys = new TreeMap<>();
    for (Path file : files) {
      String id = file.getFileName().toString();
      if (!Files.isRegularFile(file)) {
        throw new InvalidApiKeysException(
            "API-key directory " + dir + " holds '" + id + "', which is not a file");
      }
      if (!KEY_ID.matcher(id).matches()) {
        throw new InvalidApiKeysException(
            "API-key file "
                + file
                + ": the file name is the key id and may only hold letters, digits, '.', '_' and"
                + " '-'");
      }
      try {
        keys.put(id, parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new InvalidApiKeysException("Cannot read API-key file " + file, e);
      }
    }
    return keys;
  }

  /**
   * @param source where the lines come from, for error messages
   * @throws InvalidApiKeysException naming the line that is wrong
   */
  static AuthProperties.Key parse(String source, List<String> lines) {
    Map<String, String> values = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      String where = source + " line " + (i + 1);
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        problems.add(
            where
                + " is not name=value (a key file holds the key's sha256 and tenant, never the"
                + " key itself)");
        continue;
      }
      String name = line.substring(0, eq).strip();
      String value = stripComment(line.substring(eq + 1)).strip();
      if (!NAMES.contains(name)) {
        problems.add(
            where
                + " sets an unknown name; known names are "
                + String.join(", ", new TreeSet<>(NAMES)));
      } else if (values.putIfAbsent(name, value) != null) {
        problems.add(where + " sets " + name + " a second time");
      }
    }
    Integer burst = null;
    Integer maxInFlight = null;
    Integer maxPromptChars = null;
    Double requestsPerSecond = null;
    boolean admin = false;
    try {
      requestsPerSecond = positiveDouble(values.get("requests-per-second"));
    } catch (IllegalArgumentException e) {
      problems.add(source + ": requests-per-second must be a positive number");
    }
    try {
      burst = positiveInt(values.get("burst"));
    } catch (IllegalArgumentException e) {
      problems.add(source + ": burst must be a positive whole number");
    }
    try {
      maxInFlight = positiveInt(values.get("max-in-flight"));
    } catch (IllegalArgumentException e) {
      problems.add(source + ": max-in-flight must be a positive whole number");
    }
    try {
      maxPromptChars = positiveInt(values.get("max-prompt-chars"));
    } catch (IllegalArgumentException e) {
      problems.add(source + ": max-prompt-chars must be a positive whole number");
    }
    String adminValue = values.get("admin");
    if (adminValue != null) {
      if (adminValue.equals("true") || adminValue.equals("false")) {
        admin = Boolean.parseBoolean(adminValue);
      } else {
        problems.add(source + ": admin must be true or false");
      }
    }
    String sha256 = values.get("sha256");
    String tenant = values.get("tenant");
    if (sha256 == null || sha256.isEmpty()) {
      problems.add(source + ": sha256 is missing");
    }
    if (tenant == null || tenant.isEmpty()) {
      problems.add(source + ": tenant is missing");
    }
    if (!problems.isEmpty()) {
      throw new InvalidApiKeysException(String.join("; ", problems));
    }
    return new AuthProperties.Key(
        sha256, tenant, admin, requestsPerSecond, burst, maxInFlight, maxPromptChars);
  }

  private static String stripComment(String value) {
    int hash = value.indexOf(" #");
    return hash < 0 ? value : value.substring(0, hash);
  }

  private static Integer positiveInt(String value) {
    if (value == null) {
      return null;
    }
    int parsed = Integer.parseInt(value);
    if (parsed < 1) {
      throw new IllegalArgumentException();
    }
    return parsed;
  }

  private static Double positiveDouble(String value) {
    if (value == null) {
      return null;
    }
    double parsed = Double.parseDouble(value);
    if (!(parsed > 0) || Double.isInfinite(parsed)) {
      throw new IllegalArgumentException();
    }
    return parsed;
  }
}
