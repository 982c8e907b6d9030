package org.kinmesh.net;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections per source address, shared by every event loop of one server, with a cap.
 * An address's entry is removed when its last connection closes, so the table holds only
 * addresses with open connections.
 */
public final class SourceCounts {
  private final int cap;
  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

  public SourceCounts(int cap) {
    if (cap < 1) {
      throw new IllegalArgumentException("cap must be positive: " + cap);
    }
    this.cap = cap;
  }

  /** Counts one more connection from ip, unless it already holds the cap. */
  public boolean tryAcquire(String ip) {
    boolean[] ok = {false};
    open.compute(ip, (k, n) -> {
      int now = n == null ? 0 : n;
      if (now >= cap) {
        return n;
      }
      ok[0] = true;
      return now + 1;
    });
    return ok[0];
  }

  /** One connection from ip closed (one that {@link #tryAcquire} counted). */
  public void release(String ip) {
    open.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
  }

  public int open(String ip) {
    return open.getOrDefault(ip, 0);
  }

  /** Addresses with at least one open connection. */
  public int sources() {
    return open.size();
  }
}
