package org.kinmesh.net;

/**
 * Exponential backoff of the design: 1, 2, 4, 8, 16 s, capped (30 s by default). Pure: the
 * caller adds jitter and owns the timer.
 */
public record Backoff(long initialMillis, long capMillis) {
  public static final Backoff DEFAULT = new Backoff(1_000, 30_000);

  public Backoff {
    if (initialMillis <= 0 || capMillis < initialMillis) {
      throw new IllegalArgumentException("backoff needs 0 < initial <= cap");
    }
  }

  /** Delay before retry number {@code attempt} (1 = the first retry). */
  public long delayMillis(int attempt) {
    if (attempt <= 1) {
      return initialMillis;
    }
    int shift = Math.min(attempt - 1, 30);
    long d = initialMillis << shift;
    return d <= 0 || d > capMillis ? capMillis : d;
  }
}
