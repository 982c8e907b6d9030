package org.kinmesh.consensus.pbft;

/** Inputs to {@link Replica#handle}. The host feeds them one at a time, on one thread. */
public sealed interface Event {
  /** Arms the first timers; send once after construction. */
  record Start() implements Event {}

  /** An envelope that {@link EnvelopeCodec} parsed and whose signatures verified. */
  record Received(Envelope envelope) implements Event {}

  record TimerFired(TimerId id) implements Event {}

  /** The host's answer to {@link Action.BuildBlock}: a block for (view, height). */
  record Propose(long view, long height, byte[] payload, String digest) implements Event {}

  /**
   * The host applied committed block {@code height} to its ledger. {@code next} is the membership
   * from height + 1 on when that block changed it (governance), else null. The replica does not
   * touch height + 1 before this arrives, which makes the switch height the same everywhere.
   */
  record Applied(long height, Membership next) implements Event {}

  /**
   * The host's answer to {@link Action.Validate}, echoing what it judged. Ignored unless it is for
   * the height after the last committed one.
   */
  record Validated(long height, String digest, boolean proposal, Verdict verdict) implements Event {}

  /**
   * Something the replica waits on may have changed: a validation the host could not decide yet
   * may be decidable now (the replica asks again for what it still waits on), or a clock-dependent
   * threshold ({@link QuorumRule#forViewChange}) may have moved. Harmless to send at any time.
   */
  record Wake() implements Event {}

  /**
   * Transactions are waiting in the host's mempool. A primary with nothing in flight at this height
   * asks for a block at once ({@link Action.BuildBlock}) instead of waiting for its propose timer,
   * so a lone transaction is not delayed by block_interval_ms; while a block is in flight new ones
   * simply queue for the next.
   */
  record TransactionsWaiting() implements Event {}
}
