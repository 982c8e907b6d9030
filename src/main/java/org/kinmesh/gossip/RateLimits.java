package org.kinmesh.gossip;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.kinmesh.util.TimeSource;

/**
 * Token buckets per key (a peer's key, a source IP): {@code perSec} a second, bursts up to
 * {@code burst}. Bounded: at most {@code maxKeys} buckets; a new key evicts the least
 * recently used bucket only when that one is idle (full again, so it holds no information),
 * otherwise the new key is refused. Pure; clock injected.
 */
final class RateLimits {
  private static final class Bucket {
    double tokens;
    long lastMillis;
  }

  private final double perMilli;
  private final double burst;
  private final int maxKeys;
  private final TimeSource clock;
  private final LinkedHashMap<String, Bucket> buckets = new LinkedHashMap<>(64, 0.75f, true);

  RateLimits(int perSec, int burst, int maxKeys, TimeSource clock) {
    this.perMilli = perSec / 1000.0;
    this.burst = burst;
    this.maxKeys = maxKeys;
    this.clock = clock;
  }

  boolean allow(String key) {
    long now = clock.nowMillis();
    Bucket b = buckets.get(key);
    if (b == null) {
      if (buckets.size() >= maxKeys && !evictIdle(now)) {
        return false;
      }
      b = new Bucket();
      b.tokens = burst;
      b.lastMillis = now;
      buckets.put(key, b);
    }
    refill(b, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    return false;
  }

  int size() {
    return buckets.size();
  }

  private void refill(Bucket b, long now) {
    if (now > b.lastMillis) {
      b.tokens = Math.min(burst, b.tokens + (now - b.lastMillis) * perMilli);
      b.lastMillis = now;
    }
  }

  private boolean evictIdle(long now) {
    Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator();
    if (!it.hasNext()) {
      return true;
    }
    Bucket eldest = it.next().getValue();
    refill(eldest, now);
    if (eldest.tokens >= burst) {
      it.remove();
      return true;
    }
    return false;
  }
}
