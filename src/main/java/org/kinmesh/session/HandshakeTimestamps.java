package org.kinmesh.session;

import java.util.function.LongSupplier;

/**
 * Initiation timestamps: the wall clock in milliseconds, strictly increasing within a process
 * (two initiations in one millisecond, or a clock stepped back, still get distinct, growing
 * values). The clock is injected.
 */
public final class HandshakeTimestamps {
  private final LongSupplier wallClockMillis;
  private long last = Long.MIN_VALUE;

  public HandshakeTimestamps(LongSupplier wallClockMillis) {
    this.wallClockMillis = wallClockMillis;
  }

  public synchronized long next() {
    last = Math.max(wallClockMillis.getAsLong(), last + 1);
    return last;
  }
}
