package dev.loopserve.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the policy reads from one request. Optional fields are {@code null} when the client did not
 * set them.
 *
 * @param requestId request id (for the tracker; the policy itself does not key on it)
 * @param model model name
 * @param priority priority class
 * @param submittedAt when the gateway accepted the request; time already spent counts against the
 *     target
 * @param latencyTarget end-to-end target from submission, or null for the class default
 * @param deadline absolute deadline, or null; when both are set the earlier one wins
 * @param minSteps requested minimum recurrences, or null; clamped to the manifest range
 * @param maxSteps requested maximum recurrences, or null; clamped to the manifest range
 * @param exitStateDelta requested state-delta exit threshold, or null for the model default
 * @param exitKl requested KL exit threshold, or null for the model default
 * @param warmStart requested warm start
 * @param maxTokens most tokens to generate, at least 1
 */
public record RequestParams(
    String requestId,
    String model,
    PriorityClass priority,
    Instant submittedAt,
    Duration latencyTarget,
    Instant deadline,
    Integer minSteps,
    Integer maxSteps,
    Double exitStateDelta,
    Double exitKl,
    boolean warmStart,
    int maxTokens) {

  public RequestParams {
    Objects.requireNonNull(requestId, "requestId");
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("model is required");
    }
    Objects.requireNonNull(priority, "priority");
    Objects.requireNonNull(submittedAt, "submittedAt");
    if (latencyTarget != null && (latencyTarget.isNegative() || latencyTarget.isZero())) {
      throw new IllegalArgumentException("latencyTarget must be positive");
    }
    if (minSteps != null && minSteps < 1) {
      throw new IllegalArgumentException("minSteps must be >= 1");
    }
    if (maxSteps != null && maxSteps < 1) {
      throw new IllegalArgumentException("maxSteps must be >= 1");
    }
    if (minSteps != null && maxSteps != null && minSteps > maxSteps) {
      throw new IllegalArgumentException("minSteps must be <= maxSteps");
    }
    if (exitStateDelta != null && !(exitStateDelta >= 0)) {
      throw new IllegalArgumentException("exitStateDelta must be >= 0");
    }
    if (exitKl != null && !(exitKl >= 0)) {
      throw new IllegalArgumentException("exitKl must be >= 0");
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1");
    }
  }

  /** This request with another priority class; everything else unchanged. */
  public RequestParams withPriority(PriorityClass other) {
    return new RequestParams(
        requestId,
        model,
        other,
        submittedAt,
        latencyTarget,
        deadline,
        minSteps,
        maxSteps,
        exitStateDelta,
        exitKl,
        warmStart,
        maxTokens);
  }

  public static Builder builder(String requestId, String model) {
    return new Builder(requestId, model);
  }

  /** Builder; priority defaults to standard, maxTokens to 1. submittedAt is required. */
  public static final class Builder {
    private final String requestId;
    private final String model;
    private PriorityClass priority = PriorityClass.STANDARD;
    private Instant submittedAt;
    private Duration latencyTarget;
    private Instant deadline;
    private Integer minSteps;
    private Integer maxSteps;
    private Double exitStateDelta;
    private Double exitKl;
    private boolean warmStart;
    private int maxTokens = 1;

    private Builder(String requestId, String model) {
      this.requestId = requestId;
      this.model = model;
    }

    public Builder priority(PriorityClass priority) {
      this.priority = priority;
      return this;
    }

    public Builder submittedAt(Instant submittedAt) {
      this.submittedAt = submittedAt;
      return this;
    }

    public Builder latencyTarget(Duration latencyTarget) {
      this.latencyTarget = latencyTarget;
      return this;
    }

    public Builder deadline(Instant deadline) {
      this.deadline = deadline;
      return this;
    }

    public Builder steps(Integer minSteps, Integer maxSteps) {
      this.minSteps = minSteps;
      this.maxSteps = maxSteps;
      return this;
    }

    public Builder exit(Double stateDelta, Double kl) {
      this.exitStateDelta = stateDelta;
      this.exitKl = kl;
      return this;
    }

    public Builder warmStart(boolean warmStart) {
      this.warmStart = warmStart;
      return this;
    }

    public Builder maxTokens(int maxTokens) {
      this.maxTokens = maxTokens;
      return this;
    }

    public RequestParams build() {
      return new RequestParams(
          requestId,
          model,
          priority,
          submittedAt,
          latencyTarget,
          deadline,
          minSteps,
          maxSteps,
          exitStateDelta,
          exitKl,
          warmStart,
          maxTokens);
    }
  }
}
