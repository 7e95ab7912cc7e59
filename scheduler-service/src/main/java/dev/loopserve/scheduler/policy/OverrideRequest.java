package dev.loopserve.scheduler.policy;

import java.util.Map;

/**
 * Body of {@code PUT /v1/policy/{model}}: the override replaces any earlier one; absent fields mean
 * "as configured".
 *
 * @param minSteps fewest recurrences per token, within the manifest range
 * @param maxSteps most recurrences per token, within the manifest range
 * @param latencyTargetsMs latency target per priority class ({@code interactive}, {@code standard},
 *     {@code batch}), milliseconds from submission
 */
record OverrideRequest(Integer minSteps, Integer maxSteps, Map<String, Long> latencyTargetsMs) {}
