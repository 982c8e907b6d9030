package org.kinmesh.node.link;

import org.kinmesh.util.TimeSource;

/**
 * How long one open link has heard nothing from its peer, and whether that is long enough to
 * close it (pure; the clock is injected and should be monotonic). Anything from the peer counts:
 * a frame or a pong. docs/links.md §2 "Silent links".
 */
final class LinkSilence {
  private final long limitMillis;
  private final TimeSource clock;
  private long lastHeardMillis;

  /** Starts as just heard (the link has just opened). */
  LinkSilence(long limitMillis, TimeSource clock) {
    if (limitMillis <= 0) {
      throw new IllegalArgumentException("silence limit must be positive: " + limitMillis + " ms");
    }
    this.limitMillis = limitMillis;
    this.clock = clock;
    this.lastHeardMillis = clock.nowMillis();
  }

  void heard() {
    lastHeardMillis = Math.max(lastHeardMillis, clock.nowMillis());
  }

  /** Milliseconds since the peer was last heard (0 if the clock went back). */
  long silentMillis() {
    return Math.max(0, clock.nowMillis() - lastHeardMillis);
  }

  /** The peer has been silent for the whole limit: the link is to be closed. */
  boolean overdue() {
    return silentMillis() >= limitMillis;
  }

  long limitMillis() {
    return limitMillis;
  }
}
