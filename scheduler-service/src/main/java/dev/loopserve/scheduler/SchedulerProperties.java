package dev.loopserve.scheduler;

import dev.loopserve.policy.PolicyConfig;
import dev.loopserve.policy.PriorityClass;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Scheduler settings ({@code loopserve.scheduler.*}).
 *
 * @param modelsDir directory of model packages; their manifests' recurrence ranges bound every
 *     budget
 * @param interactiveTarget default latency target of interactive requests, from submission
 * @param standardTarget default latency target of standard requests
 * @param batchTarget default latency target of batch requests
 * @param safetyMargin share of every target kept free for prediction error, in [0, 1)
 * @param dispatchDelay topic hop plus consumer poll between a decision and a worker seeing it,
 *     added to every prediction
 * @param heartbeatTimeout a worker silent this long no longer counts (inference reports every 3 s)
 * @param outstandingTtl how long an assigned request counts as outstanding without a result, so a
 *     lost result cannot inflate the load for ever
 * @param lagInterval how often the inference consumer groups' lag is read
 * @param policyInterval how often every model's policy is republished to {@code loopserve.policy}
 * @param recovery rebuild overrides and outstanding work from Kafka at start-up
 * @param recoveryTimeout how long start-up recovery may wait for the cluster before it continues in
 *     the background
 * @param maxReplicas most replicas {@code loopserve_desired_replicas} asks for
 * @param typicalTokens tokens a request usually generates, for pricing its work; 0 prices every
 *     request at its {@code maxTokens} (safe, but pessimistic when answers are shorter: the demo
 *     model answers in 2 tokens whatever {@code maxTokens} says)
 */
@Validated
@ConfigurationProperties("loopserve.scheduler")
public record SchedulerProperties(
    @NotNull @DefaultValue("models") Path modelsDir,
    @NotNull @DefaultValue("500ms") Duration interactiveTarget,
    @NotNull @DefaultValue("2s") Duration standardTarget,
    @NotNull @DefaultValue("30s") Duration batchTarget,
    @DecimalMin("0.0") @DecimalMax("0.95") @DefaultValue("0.2") double safetyMargin,
    @NotNull @DefaultValue("20ms") Duration dispatchDelay,
    @NotNull @DefaultValue("10s") Duration heartbeatTimeout,
    @NotNull @DefaultValue("10m") Duration outstandingTtl,
    @NotNull @DefaultValue("2s") Duration lagInterval,
    @NotNull @DefaultValue("10s") Duration policyInterval,
    @DefaultValue("true") boolean recovery,
    @NotNull @DefaultValue("10s") Duration recoveryTimeout,
    @DefaultValue("100") int maxReplicas,
    @jakarta.validation.constraints.PositiveOrZero @DefaultValue("0") int typicalTokens) {

  /** The budget policy's configuration from these settings. */
  public PolicyConfig policyConfig() {
    return PolicyConfig.builder()
        .classTarget(PriorityClass.INTERACTIVE, interactiveTarget, safetyMargin)
        .classTarget(PriorityClass.STANDARD, standardTarget, safetyMargin)
        .classTarget(PriorityClass.BATCH, batchTarget, safetyMargin)
        .dispatchDelay(dispatchDelay)
        .autoscaling(0.8, 1, maxReplicas)
        .build();
  }
}
