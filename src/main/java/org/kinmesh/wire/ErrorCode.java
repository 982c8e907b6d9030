package org.kinmesh.wire;

/** The error codes of PROTOCOL.md §2 with their HTTP statuses. */
public enum ErrorCode {
  MALFORMED(400, "malformed"),
  INVALID_SIGNATURE(401, "invalid_signature"),
  STALE_TIMESTAMP(401, "stale_timestamp"),
  UNAUTHORIZED(403, "unauthorized"),
  UNKNOWN_BLOCKCHAIN(404, "unknown_blockchain"),
  NOT_FOUND(404, "not_found"),
  REPLAYED(409, "replayed"),
  CONFLICT(409, "conflict"),
  TOO_LARGE(413, "too_large"),
  RATE_LIMITED(429, "rate_limited"),
  INTERNAL(500, "internal"),
  /** The server cannot store anything now (its disk is full); nothing changed, try again later. */
  UNAVAILABLE(503, "unavailable");

  private final int httpStatus;
  private final String wireCode;

  ErrorCode(int httpStatus, String wireCode) {
    this.httpStatus = httpStatus;
    this.wireCode = wireCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String wireCode() {
    return wireCode;
  }

  public static ErrorCode fromWire(String code) {
    for (ErrorCode c : values()) {
      if (c.wireCode.equals(code)) {
        return c;
      }
    }
    return null;
  }
}
