package org.kinmesh.net;

/**
 * Per-peer circuit breaker: opens after {@code threshold} consecutive failures, stays open for
 * a cool-down that doubles on each failed probe (capped), then lets one probe through
 * (half-open). Pure and single-owner: the verticle that owns the peer drives it with its clock.
 */
public final class CircuitBreaker {
  public enum State { CLOSED, OPEN, HALF_OPEN }

  private final int threshold;
  private final Backoff coolDown;
  private int consecutiveFailures;
  private int openings;
  private long openUntilMillis;
  private State state = State.CLOSED;

  public CircuitBreaker(int threshold, Backoff coolDown) {
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be at least 1");
    }
    this.threshold = threshold;
    this.coolDown = coolDown;
  }

  /** Whether an attempt may go out now; moves OPEN to HALF_OPEN once the cool-down is over. */
  public boolean allow(long nowMillis) {
    if (state == State.OPEN && nowMillis >= openUntilMillis) {
      state = State.HALF_OPEN;
    }
    return state != State.OPEN;
  }

  public void success() {
    consecutiveFailures = 0;
    openings = 0;
    state = State.CLOSED;
  }

  public void failure(long nowMillis) {
    consecutiveFailures++;
    if (state == State.HALF_OPEN || consecutiveFailures >= threshold) {
      openings++;
      state = State.OPEN;
      openUntilMillis = nowMillis + coolDown.delayMillis(openings);
    }
  }

  public State state() {
    return state;
  }

  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  public long openUntilMillis() {
    return openUntilMillis;
  }
}
