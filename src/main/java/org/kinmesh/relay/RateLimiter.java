package org.kinmesh.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.kinmesh.util.TimeSource;

/**
 * At most {@code perMinute} requests per key in any 60-second window (PROTOCOL.md §2: "over
 * 100 requests a minute" is refused). Each key keeps a count per whole second for the last 61
 * seconds; a 60-second window touches at most 61 whole seconds, so capping every 61-second run
 * caps every real window. A token bucket would let twice the limit through in a minute after a
 * quiet spell. Bounded: when the table is full, idle keys are dropped, and if none are idle a
 * new key is refused rather than the table growing without limit.
 */
public final class RateLimiter {
  /** Allowed, or refused with the whole seconds until one more request would pass. */
  public record Decision(boolean allowed, long retryAfterSecs) {
    static final Decision OK = new Decision(true, 0);
  }

  static final int SLOTS = 61;

  /** Counts per second in a ring; {@code newest} is the last second written or cleared. */
  private static final class Window {
    final int[] counts = new int[SLOTS];
    long newest;
    long total;

    Window(long now) {
      newest = now;
    }

    /** Clears the seconds that have left the window by {@code now}. */
    void advance(long now) {
      if (now <= newest) {
        return;
      }
      long steps = Math.min(SLOTS, now - newest);
      for (long s = newest + 1; s <= newest + steps; s++) {
        int slot = (int) Math.floorMod(s, (long) SLOTS);
        total -= counts[slot];
        counts[slot] = 0;
      }
      newest = now;
    }

    /** Seconds until the total drops below the limit as the oldest seconds leave. */
    long secondsUntilBelow(long limit) {
      long remaining = total;
      for (int k = 1; k <= SLOTS; k++) {
        long leaving = newest - SLOTS + k; // the second that leaves the window at newest + k
        remaining -= counts[(int) Math.floorMod(leaving, (long) SLOTS)];
        if (remaining < limit) {
          return k;
        }
      }
      return SLOTS;
    }
  }

  private final int perMinute;
  private final int maxKeys;
  private final TimeSource clock;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  public RateLimiter(int perMinute, int maxKeys, TimeSource clock) {
    this.perMinute = perMinute;
    this.maxKeys = maxKeys;
    this.clock = clock;
  }

  public Decision tryAcquire(String key) {
    long now = clock.nowSeconds();
    if (windows.size() >= maxKeys && !windows.containsKey(key)) {
      evictIdle();
      if (windows.size() >= maxKeys) {
        return new Decision(false, SLOTS);
      }
    }
    Decision[] out = new Decision[1];
    windows.compute(key, (k, w) -> {
      if (w == null) {
        w = new Window(now);
      }
      w.advance(now);
      if (w.total < perMinute) {
        w.counts[(int) Math.floorMod(now, (long) SLOTS)]++;
        w.total++;
        out[0] = Decision.OK;
      } else {
        out[0] = new Decision(false, w.secondsUntilBelow(perMinute));
      }
      return w;
    });
    return out[0];
  }

  /** Removes keys with nothing left in their window: they hold no information. */
  public void evictIdle() {
    long now = clock.nowSeconds();
    for (String key : windows.keySet()) {
      windows.computeIfPresent(key, (k, w) -> {
        w.advance(now);
        return w.total == 0 ? null : w;
      });
    }
  }

  public int size() {
    return windows.size();
  }
}
