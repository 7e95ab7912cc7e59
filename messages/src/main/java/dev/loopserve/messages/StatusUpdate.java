package dev.loopserve.messages;

import static dev.loopserve.messages.SchemaVersion.required;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Progress of a request before its result ({@code loopserve.status}, keyed by request id).
 *
 * @param at epoch ms of the transition
 * @param budget the granted budget, when known
 * @param workerId the inference worker that picked the request up, for {@code running}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record StatusUpdate(
    int schemaVersion, String requestId, Status status, long at, Budget budget, String workerId) {

  /** Stages before a result exists. */
  public enum Status {
    @JsonProperty("scheduled")
    SCHEDULED,
    @JsonProperty("running")
    RUNNING
  }

  public StatusUpdate {
    SchemaVersion.check(schemaVersion);
    required(requestId, "requestId");
    required(status, "status");
  }

  public StatusUpdate(String requestId, Status status, long at, Budget budget, String workerId) {
    this(SchemaVersion.CURRENT, requestId, status, at, budget, workerId);
  }
}
