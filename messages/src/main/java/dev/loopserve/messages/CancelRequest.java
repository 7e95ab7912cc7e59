package dev.loopserve.messages;

import static dev.loopserve.messages.SchemaVersion.required;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** A client's cancellation ({@code loopserve.cancellations}, keyed by request id). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CancelRequest(int schemaVersion, String requestId, String tenant, long at) {

  public CancelRequest {
    SchemaVersion.check(schemaVersion);
    required(requestId, "requestId");
  }

  public CancelRequest(String requestId, String tenant, long at) {
    this(SchemaVersion.CURRENT, requestId, tenant, at);
  }
}
