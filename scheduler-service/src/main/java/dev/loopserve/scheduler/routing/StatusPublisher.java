package dev.loopserve.scheduler.routing;

import dev.loopserve.messages.StatusUpdate;

/** Publishes status updates to {@code loopserve.status}, keyed by request id. */
@FunctionalInterface
public interface StatusPublisher {

  void publish(StatusUpdate update);
}
