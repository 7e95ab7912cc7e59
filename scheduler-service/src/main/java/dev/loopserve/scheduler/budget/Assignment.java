package dev.loopserve.scheduler.budget;

import dev.loopserve.messages.Budget;

/**
 * A policy's answer for one request.
 *
 * @param policyVersion identifies the policy that answered, recorded on the request
 * @param predictedLatencyMs predicted wait plus service time; 0 when there is no basis yet
 * @param degraded true when load cut the budget below what the request would get when idle
 */
public record Assignment(
    Budget budget, long policyVersion, long predictedLatencyMs, boolean degraded) {}
