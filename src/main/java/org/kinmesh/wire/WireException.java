package org.kinmesh.wire;

/** A message that breaks PROTOCOL.md's rules; carries the protocol error code. */
public final class WireException extends Exception {
  private final ErrorCode code;

  public WireException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public static WireException malformed(String message) {
    return new WireException(ErrorCode.MALFORMED, message);
  }
}
