package org.kinmesh.util;

/** Injected clock, so tests drive TTLs, freshness windows and rate limits without sleeping. */
public interface TimeSource {
  TimeSource SYSTEM = System::currentTimeMillis;

  long nowMillis();

  default long nowSeconds() {
    return Math.floorDiv(nowMillis(), 1000L);
  }
}
