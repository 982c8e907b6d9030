package org.kinmesh.consensus;

import java.util.OptionalLong;

/**
 * One observation for {@link QuorumPolicy#decide}: N authorized active consensus nodes (from
 * committed chain data), R of them currently responding (this node included when authorized),
 * and how long the strict quorum has been out of reach (0 while it is reachable).
 *
 * <p>N = 0 is refused: with no authorized node nothing can ever commit, and a threshold of 0
 * would commit with no votes. Governance must never remove the last node. R &gt; N is a caller
 * bug: only authorized nodes may be counted.
 */
public record QuorumInput(int authorized, int responding, long strictUnreachableSecs) {
  public QuorumInput {
    if (authorized < 1) {
      throw new IllegalArgumentException("authorized consensus nodes N must be at least 1, got " + authorized
          + " (with no authorized node nothing can commit)");
    }
    if (responding < 0 || responding > authorized) {
      throw new IllegalArgumentException("responding nodes R must be in 0..N = 0.." + authorized
          + ", got " + responding + " (only authorized nodes may be counted)");
    }
    if (strictUnreachableSecs < 0) {
      throw new IllegalArgumentException("strict quorum unreachable time must be >= 0 seconds, got "
          + strictUnreachableSecs);
    }
  }

  /**
   * Builds the input from the moment the strict quorum became unreachable (empty while it is
   * reachable) and the current time, both in epoch milliseconds from the caller's clock. Whole
   * seconds are rounded down, and a "since" in the future counts as 0, so a clock step can only
   * delay the emergency rule, never start it early.
   */
  public static QuorumInput at(int authorized, int responding, OptionalLong unreachableSinceMillis, long nowMillis) {
    long secs = 0;
    if (unreachableSinceMillis.isPresent()) {
      long elapsed = nowMillis - unreachableSinceMillis.getAsLong();
      secs = elapsed <= 0 ? 0 : elapsed / 1000;
    }
    return new QuorumInput(authorized, responding, secs);
  }
}
