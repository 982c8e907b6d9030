package org.kinmesh.node.link;

/** Why a link, a hello or a frame was refused; the wire text is the counter key and the close reason. */
public enum Rejection {
  MALFORMED("malformed"),
  TOO_LARGE("too_large"),
  WRONG_BLOCKCHAIN("wrong_blockchain"),
  STALE("stale_timestamp"),
  REPLAYED("replayed"),
  INVALID_SIGNATURE("invalid_signature"),
  UNAUTHORIZED("unauthorized"),
  WRONG_PEER("wrong_peer"),
  SELF("self"),
  UNEXPECTED_FRAME("unexpected_frame"),
  HANDSHAKE_TIMEOUT("handshake_timeout"),
  RATE_LIMITED("rate_limited"),
  DEAUTHORIZED("deauthorized"),
  DUPLICATE("duplicate");

  private final String code;

  Rejection(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
