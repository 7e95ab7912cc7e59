package dev.loopserve.messages;

import static dev.loopserve.messages.SchemaVersion.required;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The scheduler's current budget policy for one model ({@code loopserve.policy}, compacted, keyed
 * by model).
 *
 * @param version increases with every change of policy for this model
 * @param at epoch ms at which this snapshot was taken
 * @param replicasNeeded inference replicas needed to serve the current load at full budget, for the
 *     autoscaler; null when unknown
 * @param details policy-specific figures (load, predictions), for observation only
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record PolicySnapshot(
    int schemaVersion,
    String model,
    long version,
    long at,
    int minSteps,
    int maxSteps,
    int defaultSteps,
    Integer replicasNeeded,
    Map<String, Object> details) {

  public PolicySnapshot {
    SchemaVersion.check(schemaVersion);
    required(model, "model");
    details = details == null ? Map.of() : Map.copyOf(details);
  }

  public PolicySnapshot(
      String model,
      long version,
      long at,
      int minSteps,
      int maxSteps,
      int defaultSteps,
      Integer replicasNeeded,
      Map<String, Object> details) {
    this(
        SchemaVersion.CURRENT,
        model,
        version,
        at,
        minSteps,
        maxSteps,
        defaultSteps,
        replicasNeeded,
        details);
  }
}
