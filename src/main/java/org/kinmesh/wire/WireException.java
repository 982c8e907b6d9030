package org.kinmesh.wire;

/** A message that breaks PROTOCOL.md's rules; carries the protocol error code. */
public final class WireException extends Exception {
  private final ErrorCode code;
  private final long retryAfterSecs;

  public WireException(ErrorCode code, String message) {
    this(code, message, 0);
  }

  public WireException(ErrorCode code, String message, long retryAfterSecs) {
    super(message, null, false, false);
    this.code = code;
    this.retryAfterSecs = retryAfterSecs;
  }

  /** For RATE_LIMITED: whole seconds until a retry may pass. */
  public long retryAfterSecs() {
    return retryAfterSecs;
  }

  public ErrorCode code() {
    return code;
  }

  public static WireException malformed(String message) {
    return new WireException(ErrorCode.MALFORMED, message);
  }
}
