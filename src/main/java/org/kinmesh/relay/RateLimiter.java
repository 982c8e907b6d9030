package org.kinmesh.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.kinmesh.util.TimeSource;

/**
 * Token buckets per key: {@code perMinute} requests a minute, refilled continuously, so a client
 * gets its full budget back after a minute of silence. Bounded: when the table is full, idle
 * (refilled) buckets are dropped, and if none are idle the request is refused rather than the
 * table growing without limit.
 */
public final class RateLimiter {
  /** Allowed, or refused with the whole seconds until one more request would pass. */
  public record Decision(boolean allowed, long retryAfterSecs) {
    static final Decision OK = new Decision(true, 0);
  }

  private static final class Bucket {
    double tokens;
    long updatedMillis;

    Bucket(double tokens, long updatedMillis) {
      this.tokens = tokens;
      this.updatedMillis = updatedMillis;
    }
  }

  private final int perMinute;
  private final int maxKeys;
  private final TimeSource clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(int perMinute, int maxKeys, TimeSource clock) {
    this.perMinute = perMinute;
    this.maxKeys = maxKeys;
    this.clock = clock;
  }

  public Decision tryAcquire(String key) {
    long now = clock.nowMillis();
    if (buckets.size() >= maxKeys && !buckets.containsKey(key)) {
      evictIdle();
      if (buckets.size() >= maxKeys) {
        return new Decision(false, 60);
      }
    }
    Decision[] out = new Decision[1];
    buckets.compute(key, (k, b) -> {
      if (b == null) {
        b = new Bucket(perMinute, now);
      } else {
        refill(b, now);
      }
      if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        out[0] = Decision.OK;
      } else {
        double perMilli = perMinute / 60_000.0;
        long waitMillis = (long) Math.ceil((1.0 - b.tokens) / perMilli);
        out[0] = new Decision(false, Math.max(1, (waitMillis + 999) / 1000));
      }
      return b;
    });
    return out[0];
  }

  /** Removes buckets that have refilled completely: they hold no information. */
  public void evictIdle() {
    long now = clock.nowMillis();
    for (String key : buckets.keySet()) {
      buckets.computeIfPresent(key, (k, b) -> {
        refill(b, now);
        return b.tokens >= perMinute ? null : b;
      });
    }
  }

  public int size() {
    return buckets.size();
  }

  private void refill(Bucket b, long now) {
    long elapsed = Math.max(0, now - b.updatedMillis);
    b.tokens = Math.min(perMinute, b.tokens + elapsed * (perMinute / 60_000.0));
    b.updatedMillis = now;
  }
}
