package org.kinmesh.consensus;

/**
 * Quorum arithmetic for n authorized consensus nodes (docs/quorum.md). Pure; the sums are done in
 * long, so every positive int n is safe.
 */
public final class Quorums {
  private Quorums() {}

  /** Lying (Byzantine) nodes that n nodes tolerate: floor((n - 1) / 3). */
  public static int f(int n) {
    requirePositive(n);
    return (n - 1) / 3;
  }

  /**
   * Byzantine quorum ceil((n + f + 1) / 2). Two quorums of this size share at least f + 1 nodes,
   * so at least one honest node is in both and can refuse to vote for two different blocks. It is
   * 2f + 1 only when n = 3f + 1: for n = 6 (f = 1) two quorums of 3 can be disjoint, q(6) = 4.
   */
  public static int q(int n) {
    int f = f(n);
    return (int) (((long) n + f + 2) / 2); // ceil(x / 2) = floor((x + 1) / 2) for x >= 0
  }

  /** Simple majority floor(n / 2) + 1: any two intersect, but possibly in one node only. */
  public static int majority(int n) {
    requirePositive(n);
    return n / 2 + 1;
  }

  /** The fewest nodes two quorums of size t over n nodes can share: max(0, 2t - n). */
  public static int minOverlap(int n, int t) {
    requirePositive(n);
    if (t < 0 || t > n) {
      throw new IllegalArgumentException("quorum size must be in 0.." + n + ", got " + t);
    }
    return Math.max(0, 2 * t - n);
  }

  private static void requirePositive(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("node count must be at least 1, got " + n);
    }
  }
}
