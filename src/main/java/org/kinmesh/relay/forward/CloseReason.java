package org.kinmesh.relay.forward;

/**
 * Why the relay closed (or refused) a relayed-traffic connection: the WebSocket close status
 * and the close reason text, which is also the label of the relay's connection counters.
 */
public enum CloseReason {
  // Refusals of the connect handshake, in the order the relay checks them.
  MALFORMED(1008, "malformed"),
  UNKNOWN_BLOCKCHAIN(1008, "unknown_blockchain"),
  STALE(1008, "stale_timestamp"),
  REPLAYED(1008, "replayed"),
  INVALID_SIGNATURE(1008, "invalid_signature"),
  UNAUTHORIZED(1008, "unauthorized"),
  HANDSHAKE_TIMEOUT(1008, "handshake_timeout"),
  TOO_MANY_CONNECTIONS(1013, "too_many_connections"),
  // Ends of an open connection.
  UNEXPECTED_FRAME(1008, "unexpected_frame"),
  DEAUTHORIZED(1008, "deauthorized"),
  /** A newer connection of the same key and blockchain took over. */
  REPLACED(1000, "replaced"),
  /** No pong (and no frame) for a whole ping interval. */
  IDLE_TIMEOUT(1001, "idle_timeout"),
  GOING_AWAY(1001, "going_away");

  private final short status;
  private final String code;

  CloseReason(int status, String code) {
    this.status = (short) status;
    this.code = code;
  }

  public short status() {
    return status;
  }

  public String code() {
    return code;
  }
}
