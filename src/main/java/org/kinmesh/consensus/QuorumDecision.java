package org.kinmesh.consensus;

import java.util.OptionalLong;

/**
 * What {@link QuorumPolicy#decide} returns.
 *
 * @param mode see {@link QuorumMode}
 * @param threshold votes needed to commit now: strict, or the majority in EMERGENCY mode only
 * @param authorized N
 * @param responding R
 * @param f lying nodes N tolerates: floor((N - 1) / 3)
 * @param strict the strict threshold min(N, q(max(N, min_viable_nodes)))
 * @param emergencyThreshold the simple majority floor(N / 2) + 1, whether or not it applies
 * @param emergencyStartsInSecs in STALLED mode, when the emergency rule would apply if nothing
 *     changes; empty when it cannot apply at all
 */
public record QuorumDecision(
    QuorumMode mode,
    int threshold,
    int authorized,
    int responding,
    int f,
    int strict,
    int emergencyThreshold,
    OptionalLong emergencyStartsInSecs) {

  /** Whether the responding nodes are enough to commit at this threshold. */
  public boolean canCommit() {
    return responding >= threshold;
  }

  /** Nodes that may be down while strict commits continue: N - strict. */
  public int toleratesDown() {
    return authorized - strict;
  }

  /** One line for logs and status; EMERGENCY says loudly what it gives up. */
  public String summary() {
    String counts = responding + "/" + authorized + " responding, threshold " + threshold
        + " (strict " + strict + ", f " + f + ")";
    return switch (mode) {
      case HEALTHY -> "quorum healthy: " + counts;
      case DEGRADED -> "quorum degraded: " + counts + ", " + (authorized - responding) + " of "
          + toleratesDown() + " tolerated nodes down";
      case STALLED -> "quorum STALLED: " + counts + ", no block can commit"
          + (emergencyStartsInSecs.isPresent()
              ? "; emergency majority in " + emergencyStartsInSecs.getAsLong() + " s" : "");
      case EMERGENCY -> "QUORUM EMERGENCY: committing with a simple majority of " + threshold + " of "
          + authorized + " (strict " + strict + " unreachable); this tolerates crashed nodes, NOT lying"
          + " ones: " + Quorums.minOverlap(authorized, threshold) + " node(s) voting twice can fork the chain";
    };
  }
}
