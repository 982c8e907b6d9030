package org.kinmesh.consensus.pbft;

/**
 * Where the replica's thresholds come from. {@link #STRICT} is the membership's threshold for
 * everything. A host with the emergency majority enabled (docs/quorum.md, "Emergency commits")
 * answers lower for a block whose own timestamp shows the chain stood still for
 * emergency_after_secs, so the answer for a block is a function of committed chain data and the
 * block itself, and every replica, a lagging one checking a certificate included, computes the same.
 * The replica never goes below a simple majority or above N, whatever the host answers.
 */
public interface QuorumRule {
  /** The membership's threshold, always. */
  QuorumRule STRICT = new QuorumRule() {
    @Override
    public int forBlock(long height, String digest, byte[] payload, Membership m) {
      return m.threshold();
    }

    @Override
    public int forViewChange(long height, Membership m) {
      return m.threshold();
    }

    @Override
    public int lowest(Membership m) {
      return m.threshold();
    }
  };

  /**
   * PREPAREs and COMMITs block {@code height} needs, given its payload (whose hash the host must
   * check against {@code digest} before trusting anything in it). Called only once block
   * {@code height - 1} is committed on this replica; the answer must not depend on anything but
   * that parent, the block and fixed configuration.
   */
  int forBlock(long height, String digest, byte[] payload, Membership m);

  /**
   * VIEW-CHANGEs a NEW-VIEW for {@code height} needs now. View changes are not evidence anyone
   * checks later, so this may follow the host's clock (see docs/quorum.md); the replica asks again
   * on every {@link Event.Wake}.
   */
  int forViewChange(long height, Membership m);

  /**
   * The least this rule ever answers for {@code m}: how much a certificate of a height this replica
   * cannot judge (it has not seen that block) must hold at minimum. With {@link #STRICT} it is the
   * membership's threshold, so nothing is relaxed.
   */
  int lowest(Membership m);
}
