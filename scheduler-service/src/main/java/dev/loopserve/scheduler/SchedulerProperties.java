package dev.loopserve.scheduler;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Scheduler settings ({@code loopserve.scheduler.*}).
 *
 * @param modelsDir directory of model packages; their recurrence ranges bound every budget
 * @param shedAtOutstanding outstanding requests per model up to which every request gets its full
 *     budget; beyond it budgets shrink in proportion
 * @param outstandingTtl how long an assigned request counts as outstanding without a result, so a
 *     lost result cannot inflate the load for ever
 */
@Validated
@ConfigurationProperties("loopserve.scheduler")
public record SchedulerProperties(
    @NotNull @DefaultValue("models") Path modelsDir,
    @Positive @DefaultValue("8") int shedAtOutstanding,
    @NotNull @DefaultValue("10m") Duration outstandingTtl) {}
