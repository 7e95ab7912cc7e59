package dev.loopserve.kafka.support;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the shared Kafka support ({@code loopserve.kafka.*}). Connection settings themselves
 * come from {@code spring.kafka.*}.
 *
 * @param probeInterval time between two connectivity probes
 * @param probeTimeout how long one probe waits for the cluster
 * @param downLogInterval minimum time between two "Kafka unreachable" warnings
 * @param deadLetterTimeout how long publishing one dead letter may take before the consumer gives
 *     up on the record for now (and retries it)
 */
@Validated
@ConfigurationProperties("loopserve.kafka")
public record KafkaSupportProperties(
    @NotNull @DefaultValue("5s") Duration probeInterval,
    @NotNull @DefaultValue("3s") Duration probeTimeout,
    @NotNull @DefaultValue("30s") Duration downLogInterval,
    @NotNull @DefaultValue("10s") Duration deadLetterTimeout) {}
