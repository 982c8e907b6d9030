package org.kinmesh.consensus.pbft;

/**
 * The host's judgement of a proposed block. Called for height h only after block h - 1 was
 * applied ({@link Event.Applied}), so it can check prev_hash and transactions. It must also
 * check that {@code digest} is the hash of {@code payload}: signatures bind the digest, and this
 * check binds the payload to it.
 */
@FunctionalInterface
public interface BlockValidator {
  /** What {@link #check} found. */
  enum Verdict {
    VALID,
    INVALID,
    /**
     * Cannot tell yet (transactions still being fetched, a block dated a little ahead of this
     * node's clock): the replica waits, and the host feeds {@link Event.Wake} when it may know.
     */
    PENDING
  }

  /** The simple form: valid or not, at once. */
  boolean isValid(long height, byte[] payload, String digest);

  /**
   * The check the replica makes. {@code proposal}: a pre-prepare this replica is asked to vote for
   * (the host may refuse a block dated too far in its future); false: a block a commit certificate
   * already proves committed, which is judged on its content only. {@code from}: who sent it, where
   * the host can fetch what it misses. The default answers at once with {@link #isValid}.
   */
  default Verdict check(long height, byte[] payload, String digest, boolean proposal, String from) {
    return isValid(height, payload, digest) ? Verdict.VALID : Verdict.INVALID;
  }
}
