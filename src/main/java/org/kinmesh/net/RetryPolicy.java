package org.kinmesh.net;

/**
 * Which failures are worth another try (ARCHITECTURE.md "Errors and limits"): HTTP 4xx never,
 * 5xx and network errors yes, up to a number of tries (3 for a relay operation, 5 for a
 * direct connection).
 */
public record RetryPolicy(int maxTries, Backoff backoff) {
  public static final RetryPolicy RELAY = new RetryPolicy(3, Backoff.DEFAULT);
  public static final RetryPolicy DIRECT = new RetryPolicy(5, Backoff.DEFAULT);

  public RetryPolicy {
    if (maxTries < 1) {
      throw new IllegalArgumentException("maxTries must be at least 1");
    }
  }

  /** An outcome of one try: an HTTP status, or a network error (status 0). */
  public static boolean retryable(int httpStatus) {
    return httpStatus == 0 || httpStatus >= 500 || httpStatus == 429;
  }

  /** Whether try number {@code triesSoFar} (1-based) may be followed by another. */
  public boolean mayRetry(int triesSoFar, int httpStatus) {
    return triesSoFar < maxTries && retryable(httpStatus);
  }
}
