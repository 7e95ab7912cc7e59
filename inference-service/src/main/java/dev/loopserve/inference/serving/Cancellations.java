package dev.loopserve.inference.serving;

import dev.loopserve.inference.runtime.Ticket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cancelled request ids, and the tickets of requests running here so that a cancellation reaches
 * them at their next step. A cancellation may arrive before its request does, so ids are remembered
 * (bounded, oldest forgotten first). Thread-safe.
 */
public final class Cancellations {

  private final Map<String, Boolean> cancelled;
  private final Map<String, Ticket> running = new ConcurrentHashMap<>();

  public Cancellations(int capacity) {
    this.cancelled =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  public void cancel(String requestId) {
    synchronized (cancelled) {
      cancelled.put(requestId, Boolean.TRUE);
    }
    Ticket ticket = running.get(requestId);
    if (ticket != null) {
      ticket.cancel();
    }
  }

  public boolean isCancelled(String requestId) {
    synchronized (cancelled) {
      return cancelled.containsKey(requestId);
    }
  }

  void register(String requestId, Ticket ticket) {
    running.put(requestId, ticket);
    if (isCancelled(requestId)) {
      ticket.cancel();
    }
  }

  void unregister(String requestId) {
    running.remove(requestId);
  }
}
