package org.kinmesh.consensus.pbft;

/** An inbound envelope refused at the edge, with the reason the host counts. */
public final class EnvelopeException extends Exception {
  private final RejectReason reason;

  public EnvelopeException(RejectReason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public RejectReason reason() {
    return reason;
  }
}
