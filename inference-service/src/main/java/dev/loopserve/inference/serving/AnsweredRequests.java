package dev.loopserve.inference.serving;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Request ids that already have a result on {@code loopserve.results}, so a redelivered request is
 * acknowledged without being computed or answered a second time. Bounded: the oldest ids are
 * forgotten first, which only matters for a redelivery older than {@code capacity} results.
 * Thread-safe.
 */
public final class AnsweredRequests {

  private final Map<String, Boolean> ids;

  public AnsweredRequests(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    }
    this.ids =
        new LinkedHashMap<>(1024, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  public synchronized void add(String requestId) {
    ids.put(requestId, Boolean.TRUE);
  }

  public synchronized boolean contains(String requestId) {
    return ids.containsKey(requestId);
  }

  public synchronized int size() {
    return ids.size();
  }
}
