package org.kinmesh.node.relay;

import org.kinmesh.net.Backoff;

/**
 * When to try the relayed connection again. Pure, so the schedule is tested without a relay:
 * failed tries back off 1, 2, 4, ... 30 s; a connection that was up for at least
 * {@code stableMillis} starts over at the first step when it ends, one that ended sooner counts
 * as one more failure.
 */
public final class ReconnectSchedule {
  private final Backoff backoff;
  private final long stableMillis;
  private int failures;

  public ReconnectSchedule(Backoff backoff, long stableMillis) {
    this.backoff = backoff;
    this.stableMillis = stableMillis;
  }

  /** Delay (before jitter) after a try that never got the relay's ready. */
  public long afterFailure() {
    failures++;
    return backoff.delayMillis(failures);
  }

  /** Delay (before jitter) after an open connection ended, having been up for {@code upMillis}. */
  public long afterClose(long upMillis) {
    if (upMillis >= stableMillis) {
      failures = 0;
      return backoff.delayMillis(1);
    }
    return afterFailure();
  }

  public int failures() {
    return failures;
  }
}
