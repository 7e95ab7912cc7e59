package dev.loopserve.policy;

import java.util.Locale;

/**
 * Request priority, in ascending order of importance. The policy guarantees that, for the same
 * queue and request, a more important class never gets a smaller recurrence budget than a less
 * important one: lower classes shed recurrences first.
 */
public enum PriorityClass {
  BATCH,
  STANDARD,
  INTERACTIVE;

  /** The name used on the wire ({@code "interactive"}, {@code "standard"}, {@code "batch"}). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a wire name; {@code null} or blank means {@link #STANDARD}.
   *
   * @throws IllegalArgumentException for any other unknown name
   */
  public static PriorityClass fromWire(String name) {
    if (name == null || name.isBlank()) {
      return STANDARD;
    }
    for (PriorityClass c : values()) {
      if (c.wireName().equals(name.trim().toLowerCase(Locale.ROOT))) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown priority class: " + name);
  }

  /** True when this class is at least as important as {@code other}. */
  public boolean atLeast(PriorityClass other) {
    return compareTo(other) >= 0;
  }
}
