package org.kinmesh.session;

/** A refused session handshake; {@link #reason()} is what the caller counts. */
public final class HandshakeRefusedException extends Exception {
  private final HandshakeRefusal reason;

  public HandshakeRefusedException(HandshakeRefusal reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  public HandshakeRefusal reason() {
    return reason;
  }
}
