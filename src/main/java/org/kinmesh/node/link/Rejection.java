package org.kinmesh.node.link;

/** Why a link, a hello or a frame was refused; the wire text is the counter key and the close reason. */
public enum Rejection {
  MALFORMED("malformed"),
  TOO_LARGE("too_large"),
  WRONG_BLOCKCHAIN("wrong_blockchain"),
  /** Same blockchain id, another genesis block: another chain (issue 12.5). */
  GENESIS_MISMATCH("genesis_mismatch"),
  /** The peer's path policy (force_relay) allows no direct link. */
  FORCE_RELAY("force_relay"),
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
