package dev.loopserve.scheduler.budget;

import dev.loopserve.messages.Budget;

/**
 * A policy's answer for one request.
 *
 * @param policyVersion the model's policy version (it increases with every operator override)
 * @param predictedLatencyMs predicted time from submission to completion
 * @param degraded true when even the smallest allowed budget is predicted to miss the target
 */
public record Assignment(
    Budget budget, long policyVersion, long predictedLatencyMs, boolean degraded) {}
