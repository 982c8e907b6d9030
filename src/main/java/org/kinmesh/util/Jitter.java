package org.kinmesh.util;

import java.util.concurrent.ThreadLocalRandom;

/** Jittered delays for periodic work, so a fleet of timers never fires in lockstep. */
public final class Jitter {
  private Jitter() {}

  /** base ± fraction·base, at least 1 ms. */
  public static long around(long baseMillis, double fraction) {
    long spread = (long) (baseMillis * fraction);
    long delta = spread == 0 ? 0 : ThreadLocalRandom.current().nextLong(-spread, spread + 1);
    return Math.max(1, baseMillis + delta);
  }
}
