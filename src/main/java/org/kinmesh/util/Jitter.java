package org.kinmesh.util;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/** Jittered delays for periodic work, so a fleet of timers never fires in lockstep. */
public final class Jitter {
  private Jitter() {}

  /** base ± fraction·base, at least 1 ms. */
  public static long around(long baseMillis, double fraction) {
    return around(baseMillis, fraction, ThreadLocalRandom.current());
  }

  /** The same with the randomness given, so a pure schedule can be replayed from a seed. */
  public static long around(long baseMillis, double fraction, RandomGenerator random) {
    if (!(fraction >= 0)) {
      throw new IllegalArgumentException("jitter fraction must be >= 0, not " + fraction);
    }
    long spread = (long) (baseMillis * fraction);
    long delta = spread == 0 ? 0 : random.nextLong(-spread, spread + 1);
    return Math.max(1, baseMillis + delta);
  }
}
