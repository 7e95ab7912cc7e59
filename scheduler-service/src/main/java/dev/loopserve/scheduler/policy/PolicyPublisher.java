package dev.loopserve.scheduler.policy;

import dev.loopserve.messages.PolicySnapshot;

/** Publishes a model's policy to the compacted {@code loopserve.policy} topic, keyed by model. */
@FunctionalInterface
public interface PolicyPublisher {

  void publish(PolicySnapshot snapshot);
}
