package org.kinmesh.consensus.pbft;

/** Outputs of {@link Replica#handle}, for the host to carry out in order. */
public sealed interface Action {
  /** Send to every other key of the current membership (the replica already applied its own). */
  record Broadcast(Envelope envelope) implements Action {}

  record Send(String to, Envelope envelope) implements Action {}

  /**
   * Block {@code height} committed: store payload and certificate, apply it, then answer with
   * {@link Event.Applied}.
   */
  record Committed(long height, long view, String digest, byte[] payload, CommitCertificate certificate)
      implements Action {}

  /**
   * Primary only: build a block for (view, height) and answer with {@link Event.Propose}. When
   * {@code mustPropose} is false, answer only if transactions wait; when true, propose even an
   * empty heartbeat block.
   */
  record BuildBlock(long view, long height, boolean mustPropose) implements Action {}

  /** Read committed blocks {@code from..to} and send each to {@code to} as an {@link Envelope.Block}. */
  record ServeFetch(String to, long from, long toHeight) implements Action {}

  record StartTimer(TimerId id, long delayMs) implements Action {}

  record CancelTimer(TimerId.Kind kind) implements Action {}

  /** Two different pre-prepares signed by one primary for one (view, height): report the sender. */
  record ReportEquivocation(String sender, Envelope.PrePrepare first, Envelope.PrePrepare second)
      implements Action {}

  /** An inbound message was dropped; count it by reason. */
  record Rejected(RejectReason reason, String sender, String detail) implements Action {}

  /** The replica entered {@code view} (for status and logs). */
  record ViewChanged(long view, String primary) implements Action {}
}
