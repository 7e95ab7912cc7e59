package dev.loopserve.messages;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** Kafka topic names and consumer-group names, as fixed by {@code docs/messages.md}. */
public final class Topics {

  public static final String PREFIX = "loopserve.";
  public static final String PROMPTS = PREFIX + "prompts";
  public static final String REQUESTS_PREFIX = PREFIX + "requests.";
  public static final String STATUS = PREFIX + "status";
  public static final String TOKENS = PREFIX + "tokens";

  /** Compacted: the latest result per request id is the final word on that request. */
  public static final String RESULTS = PREFIX + "results";

  public static final String CANCELLATIONS = PREFIX + "cancellations";
  public static final String HEARTBEATS = PREFIX + "heartbeats";

  /** Compacted: the latest policy per model. */
  public static final String POLICY = PREFIX + "policy";

  public static final String DLQ = PREFIX + "dlq";

  /** Topics that exist regardless of which models are installed. */
  public static final List<String> SHARED =
      List.of(PROMPTS, STATUS, TOKENS, RESULTS, CANCELLATIONS, HEARTBEATS, POLICY, DLQ);

  /** Topics whose retention is by key (log compaction) rather than by time. */
  public static final List<String> COMPACTED = List.of(RESULTS, POLICY);

  private static final Pattern MODEL_NAME = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");

  private Topics() {}

  /**
   * The per-model request topic, {@code loopserve.requests.<model>}.
   *
   * @throws IllegalArgumentException if {@code model} is not a valid model name (the manifest's
   *     pattern), which also keeps the topic name legal for Kafka
   */
  public static String requestsTopic(String model) {
    return REQUESTS_PREFIX + checkModel(model);
  }

  /** The consumer group of the inference replicas serving {@code model}. */
  public static String inferenceGroup(String model) {
    return "loopserve-inference-" + checkModel(model);
  }

  /** Whether {@code model} matches the model-name pattern of the manifest schema. */
  public static boolean isValidModelName(String model) {
    return model != null && MODEL_NAME.matcher(model).matches();
  }

  private static String checkModel(String model) {
    Objects.requireNonNull(model, "model");
    if (!isValidModelName(model)) {
      throw new IllegalArgumentException("Invalid model name: '" + model + "'");
    }
    return model;
  }
}
