package dev.loopserve.gateway.model;

import java.util.Objects;

/**
 * What the gateway needs to know about a servable model to validate requests.
 *
 * @param maxContext most tokens per sequence, prompt (with BOS) plus generated
 * @param minSteps least recurrences per token the model supports
 * @param defaultSteps recurrences per token when nobody asks otherwise
 * @param maxSteps most recurrences per token the model supports
 * @param chatTemplate the manifest's Jinja {@code chat_template}, or null when the model has none
 */
public record ModelSpec(
    String name,
    String version,
    int maxContext,
    int minSteps,
    int defaultSteps,
    int maxSteps,
    PromptTokenCounter tokens,
    String chatTemplate) {

  public ModelSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(tokens, "tokens");
    if (maxContext < 2) {
      throw new IllegalArgumentException("max_context must be >= 2, was " + maxContext);
    }
    if (minSteps < 1 || defaultSteps < minSteps || maxSteps < defaultSteps) {
      throw new IllegalArgumentException(
          "need 1 <= recurrence.min <= default <= max, got "
              + minSteps
              + "/"
              + defaultSteps
              + "/"
              + maxSteps);
    }
  }

  /** A model without a chat template. */
  public ModelSpec(
      String name,
      String version,
      int maxContext,
      int minSteps,
      int defaultSteps,
      int maxSteps,
      PromptTokenCounter tokens) {
    this(name, version, maxContext, minSteps, defaultSteps, maxSteps, tokens, null);
  }
}
