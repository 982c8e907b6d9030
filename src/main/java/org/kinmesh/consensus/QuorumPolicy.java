package org.kinmesh.consensus;

import java.util.OptionalLong;

/**
 * The quorum policy configuration and its pure decision function (docs/quorum.md).
 *
 * <p>Validation errors name the config key (min_viable_nodes, emergency_after_secs) so a config
 * loader can pass the message on unchanged.
 *
 * @param minViableNodes thresholds are computed as if there were at least this many nodes (then
 *     capped at N), so a small family network needs more of its nodes, never fewer; 1 = no effect
 * @param emergencyMajority whether the simple-majority emergency rule may ever apply (default off)
 * @param emergencyAfterSecs how long the strict quorum must have been unreachable first
 */
public record QuorumPolicy(int minViableNodes, boolean emergencyMajority, long emergencyAfterSecs) {
  /** A typo guard: kinmesh targets family-sized networks (at most 100 peers per node). */
  public static final int MAX_MIN_VIABLE_NODES = 1000;
  public static final int DEFAULT_MIN_VIABLE_NODES = 1;
  /** One hour: long enough that a reboot or a flaky link never flips a network into emergency. */
  public static final long DEFAULT_EMERGENCY_AFTER_SECS = 3600;

  public QuorumPolicy {
    if (minViableNodes < 1 || minViableNodes > MAX_MIN_VIABLE_NODES) {
      throw new IllegalArgumentException("min_viable_nodes must be in 1.." + MAX_MIN_VIABLE_NODES
          + ", got " + minViableNodes);
    }
    // Zero would let a single missed round start the emergency rule; the rule exists for outages.
    if (emergencyAfterSecs < 1) {
      throw new IllegalArgumentException("emergency_after_secs must be at least 1, got " + emergencyAfterSecs);
    }
  }

  /** min_viable_nodes 1, emergency majority off, emergency_after_secs 3600. */
  public static QuorumPolicy defaults() {
    return new QuorumPolicy(DEFAULT_MIN_VIABLE_NODES, false, DEFAULT_EMERGENCY_AFTER_SECS);
  }

  /** min(N, q(max(N, min_viable_nodes))): never more than N, never less than q(N). */
  public int strictThreshold(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("authorized node count must be at least 1, got " + n);
    }
    return Math.min(n, Quorums.q(Math.max(n, minViableNodes)));
  }

  /**
   * Whether the emergency majority may apply to a block {@code elapsedSecs} after its parent
   * (docs/quorum.md, "Emergency commits"): the rule is on, a majority is smaller than strict, and the
   * chain stood still for at least emergency_after_secs.
   */
  public boolean emergencyApplies(int n, long elapsedSecs) {
    return emergencyCanHelp(n) && elapsedSecs >= emergencyAfterSecs;
  }

  /**
   * Whether the emergency majority could ever apply to n nodes: the rule is on, the majority is
   * smaller than strict, and it still counts at least min_viable_nodes (capped at n), so the rule
   * never lets fewer nodes commit than the operator called viable.
   */
  public boolean emergencyCanHelp(int n) {
    int majority = Quorums.majority(n);
    return emergencyMajority && majority < strictThreshold(n) && majority >= Math.min(minViableNodes, n);
  }

  /**
   * The votes a block needs, a deterministic function of the block and its parent: the simple
   * majority when its timestamp is at least emergency_after_secs after its parent's and the rule is
   * on, else strict. Every node computes the same from the same two blocks, a lagging one checking
   * a certificate during catch-up included.
   */
  public int blockThreshold(int n, long parentTimestamp, long blockTimestamp) {
    return emergencyApplies(n, blockTimestamp - parentTimestamp) ? Quorums.majority(n) : strictThreshold(n);
  }

  /** The least {@link #blockThreshold} can be for n nodes: the majority when the rule can help, else strict. */
  public int lowestThreshold(int n) {
    return emergencyCanHelp(n) ? Quorums.majority(n) : strictThreshold(n);
  }

  /**
   * The threshold and mode for one observation. R only chooses the mode and whether the emergency
   * rule may start; it never lowers the threshold below strict otherwise, because two partitions
   * that each counted "who answered" would both commit.
   */
  public QuorumDecision decide(QuorumInput in) {
    int n = in.authorized();
    int r = in.responding();
    int strict = strictThreshold(n);
    int majority = Quorums.majority(n);
    int f = Quorums.f(n);
    if (r == n) {
      return new QuorumDecision(QuorumMode.HEALTHY, strict, n, r, f, strict, majority, OptionalLong.empty());
    }
    if (r >= strict) {
      return new QuorumDecision(QuorumMode.DEGRADED, strict, n, r, f, strict, majority, OptionalLong.empty());
    }
    // r < strict. Emergency helps only if a majority is smaller than strict (and not below
    // min_viable_nodes), and r reaches it.
    boolean couldUseEmergency = emergencyCanHelp(n) && r >= majority;
    if (couldUseEmergency && in.strictUnreachableSecs() >= emergencyAfterSecs) {
      return new QuorumDecision(QuorumMode.EMERGENCY, majority, n, r, f, strict, majority, OptionalLong.empty());
    }
    OptionalLong wait = couldUseEmergency
        ? OptionalLong.of(emergencyAfterSecs - in.strictUnreachableSecs())
        : OptionalLong.empty();
    return new QuorumDecision(QuorumMode.STALLED, strict, n, r, f, strict, majority, wait);
  }
}
