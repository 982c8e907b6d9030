package org.kinmesh.node.relay;

import org.kinmesh.net.Backoff;
import org.kinmesh.net.RetryPolicy;

/**
 * When to try registering next, from the outcome of the last try. Pure, so the schedule is
 * tested without a relay. Registration is a standing operation: a relay that is down must not
 * stop the node, so retryable failures keep going at 1, 2, 4, 8, 16, 30, 30 ... s until the
 * relay answers; a 4xx is not retried early and waits for the next regular round.
 */
public final class RegisterSchedule {
  private final long intervalMillis;
  private final Backoff backoff;
  private int consecutiveFailures;

  public RegisterSchedule(long intervalMillis, Backoff backoff) {
    this.intervalMillis = intervalMillis;
    this.backoff = backoff;
  }

  /** Delay before the next try (before jitter) after a try that ended with this HTTP status (0 = network error). */
  public long next(int httpStatus) {
    if (httpStatus >= 200 && httpStatus < 300) {
      consecutiveFailures = 0;
      return intervalMillis;
    }
    if (!RetryPolicy.retryable(httpStatus)) {
      consecutiveFailures = 0;
      return intervalMillis;
    }
    consecutiveFailures++;
    return backoff.delayMillis(consecutiveFailures);
  }

  public int consecutiveFailures() {
    return consecutiveFailures;
  }
}
