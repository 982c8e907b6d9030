package org.kinmesh.stun;

/** A datagram that is not a well-formed STUN message; the one exception the decoder throws. */
public final class StunParseException extends Exception {
  public StunParseException(String message) {
    super(message, null, false, false);
  }
}
