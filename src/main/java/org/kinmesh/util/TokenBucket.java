package org.kinmesh.util;


/** Per-peer rate limit: {@code ratePerSec} tokens a second, bursts up to {@code burst}. Pure, clock injected. */
public final class TokenBucket {
  private final double ratePerMilli;
  private final double burst;
  private final TimeSource clock;
  private double tokens;
  private long lastMillis;

  public TokenBucket(int ratePerSec, int burst, TimeSource clock) {
    this.ratePerMilli = ratePerSec / 1000.0;
    this.burst = burst;
    this.clock = clock;
    this.tokens = burst;
    this.lastMillis = clock.nowMillis();
  }

  public boolean tryTake() {
    long now = clock.nowMillis();
    if (now > lastMillis) {
      tokens = Math.min(burst, tokens + (now - lastMillis) * ratePerMilli);
      lastMillis = now;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
