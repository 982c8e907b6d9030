package org.kinmesh.util;

/** Injected clock, so tests drive TTLs, freshness windows and rate limits without sleeping. */
public interface TimeSource {
  /** The machine's clocks: wall time from currentTimeMillis, elapsed time from nanoTime. */
  TimeSource SYSTEM = new TimeSource() {
    @Override
    public long nowMillis() {
      return System.currentTimeMillis();
    }

    @Override
    public long monotonicNanos() {
      return System.nanoTime();
    }
  };

  /** Wall-clock time (timestamps, TTLs a peer also checks); may jump when the clock is set. */
  long nowMillis();

  default long nowSeconds() {
    return Math.floorDiv(nowMillis(), 1000L);
  }

  /**
   * Elapsed time for intervals (RTTs, silences, back-off, path deadlines): only differences mean
   * anything. A test clock moves it with its wall time, so both advance together.
   */
  default long monotonicNanos() {
    return nowMillis() * 1_000_000L;
  }
}
