package org.kinmesh.node.relay;

/**
 * Event-bus addresses of the node's relayed connection ({@link RelayedConnectionVerticle};
 * docs/relay.md, "The node's relayed connection"). Internal wiring, not an API.
 */
public final class RelayedAddresses {
  private RelayedAddresses() {}

  /**
   * Consumed: {"to": pubkey hex, "payload": string} is sent to that key through the relay. Fire
   * and forget with send(); with request() the reply is {"status": "sent"} or a failure
   * (ReplyException failureCode 400 malformed, 413 too_large, 503 not_connected or queue_full;
   * message JSON {"error", "message"}). "sent" means handed to the relay, not delivered: the
   * relay answers a frame it cannot forward with an UNDELIVERABLE notice.
   */
  public static final String SEND = "kinmesh.internal.relay.relayed.send";
  /** Published: {"from": pubkey hex (stamped by the relay after it verified the sender), "payload": string}. */
  public static final String INBOUND = "kinmesh.internal.relay.relayed.inbound";
  /**
   * Published: {"to": pubkey hex, "reason": "not_connected" | "queue_full" | "rate_limited" | "too_large"}
   * when the relay did not forward a frame we sent.
   */
  public static final String UNDELIVERABLE = "kinmesh.internal.relay.relayed.undeliverable";
  /**
   * Published on every change: {"connected": true, "relay": url} once the relay accepted us;
   * {"connected": false, "relay": url, "reason": code, "retry_in_ms": n} after each failed try or close.
   */
  public static final String STATE = "kinmesh.internal.relay.relayed.state";
  /** request/reply, any body: {"connected", "relay", "failures", "counters": {name: count}}. */
  public static final String STATUS = "kinmesh.internal.relay.relayed.status";
}
