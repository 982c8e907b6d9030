package org.kinmesh.gossip;

import java.util.Comparator;

/**
 * Endpoint scoring (pure): a stored score in [0, 100] moved by outcomes, read through a rank
 * that decays with time and favours fresh gossip. The order is what the links try first:
 * endpoints not known to fail, then by rank, then by text (so equal ranks order the same way
 * everywhere). One failure moves an endpoint behind every endpoint that has not failed,
 * which rotates the links to the next one.
 */
public final class EndpointScore {
  public static final double MAX = 100;
  /** Time decay of the stored score: halves every 10 minutes without news. */
  static final long HALF_LIFE_MS = 600_000;
  /** Gossip-sourced and seen within prefer_fresh_secs: the freshest evidence there is. */
  static final double FRESH_BONUS = 25;
  static final double REACHABLE_BONUS = 10;
  static final double SUCCESS_STEP = 30;
  /** A score restored from the cache is evidence from another life: capped below fresh gossip. */
  static final double CACHE_CAP = 50;

  private EndpointScore() {}

  /** Starting score of an endpoint first heard from {@code source}; {@code position} is its place in an announce. */
  static double initial(Source source, int position) {
    return switch (source) {
      case GOSSIP -> 60 - 2.0 * Math.min(position, 5);
      case RELAY -> 50;
      case LOCAL, STUN -> 40;
      case CACHE -> CACHE_CAP;
    };
  }

  static double afterSuccess(double score) {
    return Math.min(MAX, score + SUCCESS_STEP);
  }

  static double afterFailure(double score) {
    return score / 2;
  }

  static double rank(EndpointEntry e, long nowMs, long preferFreshMs) {
    long age = Math.max(0, nowMs - e.lastSeenMs);
    double r = e.score * Math.pow(0.5, (double) age / HALF_LIFE_MS);
    if (Source.has(e.sources, Source.GOSSIP) && age <= preferFreshMs) {
      r += FRESH_BONUS;
    }
    if (e.reachable == Reachability.YES) {
      r += REACHABLE_BONUS;
    }
    return r;
  }

  /** Best first. */
  static Comparator<EndpointEntry> order(long nowMs, long preferFreshMs) {
    return Comparator.<EndpointEntry>comparingInt(e -> e.reachable == Reachability.NO ? 1 : 0)
        .thenComparing(Comparator.<EndpointEntry>comparingDouble(e -> rank(e, nowMs, preferFreshMs)).reversed())
        .thenComparing(e -> e.endpoint.toString());
  }
}
