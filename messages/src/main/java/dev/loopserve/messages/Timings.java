package dev.loopserve.messages;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** Wall-clock milestones of a request, epoch milliseconds; null where a stage never happened. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Timings(Long submittedAt, Long scheduledAt, Long startedAt, Long finishedAt) {}
