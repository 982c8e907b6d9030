package org.kinmesh.consensus;

/**
 * Where the consensus set stands, from N authorized nodes and the R of them currently
 * responding (this node counts itself when it is authorized). See docs/quorum.md.
 */
public enum QuorumMode {
  /** R = N: everyone answers; threshold is the strict quorum. */
  HEALTHY,
  /** strict &lt;= R &lt; N: blocks still commit at the strict threshold, with fewer spare nodes. */
  DEGRADED,
  /**
   * R &lt; strict and the emergency rule does not apply (off, not waited long enough, R below a
   * majority, or a majority is no smaller than strict). Nothing commits; the threshold stays strict.
   */
  STALLED,
  /**
   * Emergency majority is on, R &lt; strict, R &gt;= floor(N / 2) + 1, and the strict quorum has
   * been unreachable for at least emergency_after_secs. Threshold is the simple majority, which
   * tolerates crashes, not lies. Must be reported loudly.
   */
  EMERGENCY
}
