package org.kinmesh.consensus;

/**
 * The clock rule an honest replica applies before it votes for a proposed block (docs/quorum.md,
 * "Emergency commits"). A block dated more than {@link #MAX_SKEW_SECS} after this node's clock is
 * refused; a block that would commit with the emergency majority is not voted for before this
 * node's own clock reaches its timestamp. Since the emergency rule needs a timestamp at least
 * emergency_after_secs after the parent's, no primary can produce an emergency block before the
 * honest voters themselves saw the chain stand still that long. Pure; the host supplies the time.
 */
public final class ProposalTime {
  /** How far a proposal may be dated ahead of a voter's clock (clocks of family machines drift). */
  public static final long MAX_SKEW_SECS = 15;

  private ProposalTime() {}

  /** What to do with a proposal. */
  public enum Verdict {
    /** Vote on its content. */
    OK,
    /** Not yet: ask again later (an emergency block dated a little ahead of this clock). */
    WAIT,
    /** Dated too far ahead: refuse it. */
    REFUSE
  }

  /**
   * @param blockTimestamp the proposal's timestamp (Unix seconds)
   * @param nowSecs this node's clock
   * @param emergency whether the block would commit with the emergency majority
   */
  public static Verdict judge(long blockTimestamp, long nowSecs, boolean emergency) {
    if (blockTimestamp > nowSecs + MAX_SKEW_SECS) {
      return Verdict.REFUSE;
    }
    if (emergency && blockTimestamp > nowSecs) {
      return Verdict.WAIT;
    }
    return Verdict.OK;
  }
}
