package dev.loopserve.messages;

/** The version carried in every record's {@code schemaVersion} field. */
public final class SchemaVersion {

  /** Bumped only on an incompatible change; adding optional fields keeps it. */
  public static final int CURRENT = 1;

  private SchemaVersion() {}

  static int check(int version) {
    if (version < 1) {
      throw new IllegalArgumentException("schemaVersion must be >= 1, was " + version);
    }
    return version;
  }

  static <T> T required(T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    return value;
  }
}
